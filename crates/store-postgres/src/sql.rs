//! Statements through a per-connection cache of prepared statements.
//!
//! Every statement of this crate is a `&'static str`, and each pooled connection
//! ([`Conn`](crate::pool::Conn)) keeps the statements it has prepared in [`Statements`],
//! keyed by that text. The first use of a statement on a connection prepares it (Parse
//! and Describe: one round trip); every later use is Bind and Execute only (one round
//! trip instead of two, and no re-planning of the statement's text by the server). The
//! key set is the crate's fixed statements, a few dozen, so a cache needs no bound or
//! eviction; statements built at run time (the filtered keyset pages) are not cached
//! ([`Sql::query_uncached`]): the cache's methods only take `&'static str`.
//!
//! [`Sql`] is a client or an open transaction together with its connection's cache; the
//! closures given to [`PostgresStore::with_client`](crate::PostgresStore::with_client)
//! and [`PostgresStore::transaction`](crate::PostgresStore::transaction) get one, with
//! the `postgres` client's `query`, `query_one`, `query_opt` and `execute`.
//!
//! A cached statement can stop fitting the server: a schema change that alters a
//! column it returns (PostgreSQL refuses to run it: `0A000`, "cached plan must not
//! change result type"), or its name dropped under it (`26000`, after a `DEALLOCATE
//! ALL` by a connection pooler). Then the connection's cache is emptied and the call is
//! run once more, preparing afresh — see [`crate::retry`]. (A schema change that only
//! alters what a statement reads, or that drops and re-creates a table of the same
//! shape, needs nothing: the server re-plans cached statements by itself.)

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use postgres::types::ToSql;
use postgres::{GenericClient, Row, Statement};

/// The statements a connection has prepared, by their text.
///
/// Keyed by `&'static str` only: the crate's own fixed statements, so it holds at most
/// one entry per statement in the source and needs no eviction.
#[derive(Default)]
pub(crate) struct Statements {
    prepared: HashMap<&'static str, Statement>,
    /// How many statements this connection has prepared (Parse round trips).
    #[cfg(test)]
    prepares: u64,
}

impl Statements {
    /// The prepared form of `sql`, prepared on `client` on first use.
    fn get<C: GenericClient>(
        &mut self,
        client: &mut C,
        sql: &'static str,
    ) -> Result<&Statement, postgres::Error> {
        match self.prepared.entry(sql) {
            Entry::Occupied(cached) => Ok(cached.into_mut()),
            Entry::Vacant(slot) => {
                let statement = client.prepare(sql)?;
                #[cfg(test)]
                {
                    self.prepares += 1;
                }
                Ok(slot.insert(statement))
            }
        }
    }

    /// Forgets every statement (the server deallocates them as they drop).
    pub(crate) fn clear(&mut self) {
        self.prepared.clear();
    }

    /// How many statements are cached.
    pub(crate) fn len(&self) -> usize {
        self.prepared.len()
    }

    /// How many statements were prepared on this connection since it opened.
    #[cfg(test)]
    pub(crate) fn prepares(&self) -> u64 {
        self.prepares
    }
}

/// A client or an open transaction (`C`), with its connection's prepared statements.
pub(crate) struct Sql<'a, C> {
    client: &'a mut C,
    statements: &'a mut Statements,
}

/// Statement parameters, as the `postgres` client takes them.
pub(crate) type Params<'p> = [&'p (dyn ToSql + Sync)];

impl<'a, C: GenericClient> Sql<'a, C> {
    pub(crate) fn new(client: &'a mut C, statements: &'a mut Statements) -> Self {
        Self { client, statements }
    }

    /// The rows of `sql`, prepared once per connection.
    pub(crate) fn query(
        &mut self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.statements.get(self.client, sql)?;
        self.client.query(statement, params)
    }

    /// The one row of `sql` (an error if there is none or more), prepared once per
    /// connection.
    pub(crate) fn query_one(
        &mut self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> Result<Row, postgres::Error> {
        let statement = self.statements.get(self.client, sql)?;
        self.client.query_one(statement, params)
    }

    /// The row of `sql` if there is one (an error if there are more), prepared once per
    /// connection.
    pub(crate) fn query_opt(
        &mut self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.statements.get(self.client, sql)?;
        self.client.query_opt(statement, params)
    }

    /// Runs `sql`, prepared once per connection; the number of rows it changed.
    pub(crate) fn execute(
        &mut self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> Result<u64, postgres::Error> {
        let statement = self.statements.get(self.client, sql)?;
        self.client.execute(statement, params)
    }

    /// The rows of a statement built at run time, prepared for this one use (two round
    /// trips): for the filtered pages, whose text depends on the filters.
    pub(crate) fn query_uncached(
        &mut self,
        sql: &str,
        params: &Params<'_>,
    ) -> Result<Vec<Row>, postgres::Error> {
        self.client.query(sql, params)
    }

    /// Runs statements without parameters by the simple query protocol (one round trip,
    /// nothing prepared).
    pub(crate) fn batch_execute(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.client.batch_execute(sql)
    }
}
