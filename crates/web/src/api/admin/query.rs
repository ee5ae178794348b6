//! The query strings of the listings, checked parameter by parameter: an unknown or
//! repeated parameter, or a value not of its documented form, is 400 `malformed` —
//! never ignored (a misspelt `institution_code` must not list every institution).

use std::collections::BTreeMap;

use axum::extract::Query;
use axum::http::Uri;
use shikaku::{
    AccountKey, AuditKind, AuditOrder, AuditQuery, AuditSeq, Config, InstitutionCode,
    MAX_LOGIN_ID_CHARS, MAX_PAGE,
};

use super::super::error::{ApiError, Field, Malformed};
use super::super::instant::parse_utc_seconds;
use super::super::wire::{login_id, required};

/// How many entries a page has when `limit` is not given.
pub(super) const DEFAULT_LIMIT: usize = 100;

/// The query's parameters by name, each at most once and only those in `known`.
fn parameters(
    uri: &Uri,
    known: &[&'static str],
) -> Result<BTreeMap<&'static str, String>, Malformed> {
    let Query(pairs) =
        Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|_| Malformed::Query)?;
    let mut found = BTreeMap::new();
    for (name, value) in pairs {
        let name = known.iter().find(|k| **k == name).ok_or(Malformed::Query)?;
        if found.insert(*name, value).is_some() {
            return Err(Malformed::Query);
        }
    }
    Ok(found)
}

/// `institution_code`: as in a body (normalised), of the configured digit count.
fn institution(config: &Config, value: &str) -> Result<InstitutionCode, ApiError> {
    required(Field::InstitutionCode, value)?;
    Ok(InstitutionCode::parse(
        value,
        config.institution_code_digits,
    )?)
}

/// `limit`: 1 to [`MAX_PAGE`], ASCII digits only.
fn limit(value: Option<&String>) -> Result<usize, Malformed> {
    let Some(value) = value else {
        return Ok(DEFAULT_LIMIT);
    };
    let bad = Malformed::Limit { max: MAX_PAGE };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad);
    }
    match value.parse::<usize>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => Err(bad),
    }
}

/// `GET /admin/accounts?institution_code=&after=&limit=`.
#[derive(Debug)]
pub(super) struct AccountsQuery {
    pub(super) institution: Option<InstitutionCode>,
    pub(super) after: Option<AccountKey>,
    pub(super) limit: usize,
}

impl AccountsQuery {
    pub(super) fn parse(uri: &Uri, config: &Config) -> Result<Self, ApiError> {
        let found = parameters(uri, &["institution_code", "after", "limit"])?;
        Ok(Self {
            institution: found
                .get("institution_code")
                .map(|v| institution(config, v))
                .transpose()?,
            after: found
                .get("after")
                .map(|v| account_cursor(config, v))
                .transpose()?,
            limit: limit(found.get("limit"))?,
        })
    }
}

/// An accounts cursor as the API hands it out (`next`): `institution_code/login_id`,
/// both already normalised — exactly that spelling, nothing else.
fn account_cursor(config: &Config, value: &str) -> Result<AccountKey, Malformed> {
    let (code, id) = value.split_once('/').ok_or(Malformed::Cursor)?;
    let plain_code =
        code.len() == config.institution_code_digits && code.bytes().all(|b| b.is_ascii_digit());
    let plain_id = (1..=MAX_LOGIN_ID_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if !(plain_code && plain_id) {
        return Err(Malformed::Cursor);
    }
    config.account_key(code, id).map_err(|_| Malformed::Cursor)
}

/// `GET /admin/audit?institution_code=&login_id=&kind=&since=&until=&after=&limit=`:
/// a newest-first [`AuditQuery`].
pub(super) fn audit_query(uri: &Uri, config: &Config) -> Result<AuditQuery, ApiError> {
    let found = parameters(
        uri,
        &[
            "institution_code",
            "login_id",
            "kind",
            "since",
            "until",
            "after",
            "limit",
        ],
    )?;
    let instant = |field: Field| {
        found
            .get(field.name())
            .map(|v| parse_utc_seconds(v).ok_or(Malformed::Instant(field)))
            .transpose()
    };
    Ok(AuditQuery {
        institution: found
            .get("institution_code")
            .map(|v| institution(config, v))
            .transpose()?,
        login_id: found.get("login_id").map(|v| login_id(v)).transpose()?,
        kind: found.get("kind").map(|v| kind(v)).transpose()?,
        since: instant(Field::Since)?,
        until: instant(Field::Until)?,
        after: found.get("after").map(|v| audit_cursor(v)).transpose()?,
        order: AuditOrder::NewestFirst,
        limit: limit(found.get("limit"))?,
    })
}

/// `kind`: an audit event kind by its snake_case name.
fn kind(value: &str) -> Result<AuditKind, Malformed> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).map_err(|_| Malformed::Kind)
}

/// An audit cursor (`next`): a sequence number, 1 or more, ASCII digits.
fn audit_cursor(value: &str) -> Result<AuditSeq, Malformed> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Malformed::Cursor);
    }
    match value.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(AuditSeq(n)),
        _ => Err(Malformed::Cursor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(query: &str) -> Uri {
        format!("/api/v1/admin/accounts?{query}").parse().unwrap()
    }

    fn accounts(query: &str) -> Result<AccountsQuery, ApiError> {
        AccountsQuery::parse(&uri(query), &Config::for_tests())
    }

    #[test]
    fn account_listing_parameters() {
        let q = accounts("").unwrap();
        assert_eq!(
            (q.institution, q.after, q.limit),
            (None, None, DEFAULT_LIMIT)
        );
        let q = accounts("institution_code=%EF%BC%90123456789&after=0123456789/a.b@c&limit=500")
            .unwrap();
        assert_eq!(q.institution.unwrap().as_str(), "0123456789");
        assert_eq!(q.after.unwrap().to_string(), "0123456789/a.b@c");
        assert_eq!(q.limit, 500);
        for bad in [
            "limit=0",
            "limit=501",
            "limit=-1",
            "limit=%2B5",
            "limit=",
            "limit=1&limit=2",
            "institution=0123456789",
            "institution_code=123",
            "institution_code=",
            "after=0123456789",
            "after=0123456789/",
            "after=%EF%BC%90123456789/a",
            "after=0123456789/%20a",
        ] {
            assert!(
                matches!(accounts(bad), Err(ApiError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn audit_parameters() {
        let config = Config::for_tests();
        let parse = |q: &str| audit_query(&uri(q), &config);
        let q = parse("kind=admin_unlocked&since=2026-04-01T00:00:00Z&after=7&login_id=staff01")
            .unwrap();
        assert_eq!(q.kind, Some(AuditKind::AdminUnlocked));
        assert_eq!(q.after, Some(AuditSeq(7)));
        assert_eq!(q.login_id.unwrap().as_str(), "staff01");
        assert_eq!(q.order, AuditOrder::NewestFirst);
        for bad in [
            "kind=nope",
            "kind=Admin_Unlocked",
            "since=2026-04-01",
            "until=2026-04-01T00:00:00%2B00:00",
            "after=0",
            "after=9223372036854775808",
            "login_id=a%20b",
            "extra=1",
        ] {
            assert!(matches!(parse(bad), Err(ApiError::Malformed(_))), "{bad}");
        }
    }
}
