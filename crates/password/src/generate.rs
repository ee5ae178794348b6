//! Random initial passwords.

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::{Error, Password, Policy};

/// Length of a generated password when the policy allows it.
pub const GENERATED_LENGTH: usize = 12;

/// Digits without `0` and `1` (look like `O`, `l`, `I`).
const DIGITS: &str = "23456789";
/// Lowercase without `l` and `o`.
const LOWERCASE: &str = "abcdefghijkmnpqrstuvwxyz";
/// Uppercase without `I` and `O`.
const UPPERCASE: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Specials that are easily misread on a printed sheet or in some fonts.
const AMBIGUOUS_SPECIALS: &str = "`'|,.;:";

/// A random password that passes `policy.check`, for an initial password or
/// an administrator's reset: [`GENERATED_LENGTH`] (12) characters, or the
/// nearest length the policy allows.
///
/// It has at least one digit, lowercase, uppercase and special character,
/// each position drawn uniformly (rejection sampling, no modulo bias) from
/// an alphabet without look-alikes (`0 1 O o l I`, and the specials
/// `` ` ' | , . ; : `` unless the policy allows nothing else) so it can be
/// read off a printed sheet. With the default policy the alphabet has 75
/// symbols: about 74 bits for 12 characters.
///
/// ```
/// use rand_chacha::ChaCha20Rng;
/// use rand_core::SeedableRng;
/// use shikaku_password::{Policy, generate_password};
///
/// let mut rng = ChaCha20Rng::from_seed([42; 32]); // use an OS-seeded CSPRNG
/// let policy = Policy::default();
/// let pw = generate_password(&policy, &mut rng);
/// assert_eq!(pw.char_count(), 12);
/// assert!(policy.check(pw.as_str()).is_ok());
/// ```
pub fn generate_password<R: CryptoRng + ?Sized>(policy: &Policy, rng: &mut R) -> Password {
    let length = GENERATED_LENGTH.clamp(policy.min_length(), policy.max_length());
    generate(policy, length, rng)
}

/// Like [`generate_password`] with a chosen length.
///
/// # Errors
/// [`Error::InvalidLength`] if `length` is outside the policy's range.
pub fn generate_password_with_length<R: CryptoRng + ?Sized>(
    policy: &Policy,
    length: usize,
    rng: &mut R,
) -> Result<Password, Error> {
    if !(policy.min_length()..=policy.max_length()).contains(&length) {
        return Err(Error::InvalidLength {
            requested: length,
            min: policy.min_length(),
            max: policy.max_length(),
        });
    }
    Ok(generate(policy, length, rng))
}

/// The specials to draw from: the policy's, less look-alikes and whitespace
/// when that leaves any.
fn specials_for(policy: &Policy) -> Vec<char> {
    let all: Vec<char> = policy.specials().chars().collect();
    let clear: Vec<char> = all
        .iter()
        .copied()
        .filter(|c| !AMBIGUOUS_SPECIALS.contains(*c) && !c.is_whitespace())
        .collect();
    if !clear.is_empty() {
        return clear;
    }
    let visible: Vec<char> = all.iter().copied().filter(|c| !c.is_whitespace()).collect();
    if visible.is_empty() { all } else { visible }
}

fn generate<R: CryptoRng + ?Sized>(policy: &Policy, length: usize, rng: &mut R) -> Password {
    let digits: Vec<char> = DIGITS.chars().collect();
    let lower: Vec<char> = LOWERCASE.chars().collect();
    let upper: Vec<char> = UPPERCASE.chars().collect();
    let specials = specials_for(policy);
    let mut alphabet =
        Vec::with_capacity(digits.len() + lower.len() + upper.len() + specials.len());
    for class in [&digits, &lower, &upper, &specials] {
        alphabet.extend_from_slice(class);
    }

    // One of each class, the rest from the whole alphabet, then a shuffle.
    let mut chars: Zeroizing<Vec<char>> = Zeroizing::new(Vec::with_capacity(length));
    for class in [&digits, &lower, &upper, &specials] {
        chars.push(pick(class, rng));
    }
    while chars.len() < length {
        chars.push(pick(&alphabet, rng));
    }
    for i in (1..chars.len()).rev() {
        let j = below(rng, i + 1);
        chars.swap(i, j);
    }

    let bytes = chars.iter().map(|c| c.len_utf8()).sum();
    let mut text = String::with_capacity(bytes);
    text.extend(chars.iter());
    Password::new(text)
}

fn pick<R: CryptoRng + ?Sized>(set: &[char], rng: &mut R) -> char {
    set.get(below(rng, set.len())).copied().unwrap_or('#')
}

/// Uniform in `0..n` (for `n >= 1`) by rejection sampling.
fn below<R: CryptoRng + ?Sized>(rng: &mut R, n: usize) -> usize {
    let Ok(n) = u32::try_from(n) else {
        return 0; // never: alphabets and lengths are small
    };
    if n <= 1 {
        return 0;
    }
    // Values below `threshold` would make `x % n` biased; draw again.
    let threshold = n.wrapping_neg() % n;
    loop {
        let x = rng.next_u32();
        if x >= threshold {
            return usize::try_from(x % n).unwrap_or(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn alphabets_avoid_look_alikes() {
        for c in ['0', '1', 'O', 'o', 'l', 'I'] {
            assert!(!DIGITS.contains(c) && !LOWERCASE.contains(c) && !UPPERCASE.contains(c));
        }
        assert_eq!(specials_for(&Policy::default()).len(), 19);
    }

    #[test]
    fn below_is_uniform_enough() {
        let mut rng = ChaCha20Rng::from_seed([5; 32]);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[below(&mut rng, 7)] += 1;
        }
        for c in counts {
            assert!((9_400..10_600).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn only_ambiguous_specials_are_still_used() {
        let policy = Policy::builder().specials("|").build().unwrap();
        let mut rng = ChaCha20Rng::from_seed([8; 32]);
        let pw = generate_password(&policy, &mut rng);
        assert!(pw.as_str().contains('|'));
        assert!(policy.check(pw.as_str()).is_ok());
    }

    #[test]
    fn length_follows_the_policy() {
        let mut rng = ChaCha20Rng::from_seed([8; 32]);
        let short = Policy::builder().max_length(10).build().unwrap();
        assert_eq!(generate_password(&short, &mut rng).char_count(), 10);
        let long = Policy::builder()
            .min_length(16)
            .max_length(40)
            .build()
            .unwrap();
        assert_eq!(generate_password(&long, &mut rng).char_count(), 16);
        assert!(generate_password_with_length(&long, 15, &mut rng).is_err());
        let pw = generate_password_with_length(&long, 40, &mut rng).unwrap();
        assert_eq!(pw.char_count(), 40);
        assert!(long.check(pw.as_str()).is_ok());
    }
}
