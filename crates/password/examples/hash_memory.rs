//! Memory and time of argon2id hashing: fresh allocation per hash ("before")
//! versus the pooled [`Hasher`] ("after").
//!
//! ```text
//! cargo run --release -p shikaku-password --example hash_memory            # both, 300 hashes each
//! cargo run --release -p shikaku-password --example hash_memory -- fresh 300
//! cargo run --release -p shikaku-password --example hash_memory -- pooled 300
//! cargo run --release -p shikaku-password --example hash_memory -- wipe 300
//! ```
//!
//! Each mode runs in its own process (peak RSS, `VmHWM` in
//! `/proc/self/status`, is per process); without arguments the example runs
//! itself once per mode and prints a table. Linux only (reads `/proc`).
//!
//! - `fresh`: `argon2::Argon2::hash_password_into`, which allocates and frees
//!   a new `m_cost` block on every call — what this crate did not want.
//! - `pooled`: `shikaku_password::Hasher::default()` (one worker): one
//!   reused, wiped-after-use block.
//! - `wipe`: only the zeroization of a 19 MiB block, to show its share.

use std::process::Command;
use std::time::Instant;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku_password::{Hasher, Password};
use zeroize::Zeroize;

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

// A measurement tool, not library code: reading the clock is its purpose.
#[allow(clippy::disallowed_methods)]
fn run(mode: &str, count: u32) -> Result<(), String> {
    let password = Password::new("Staff-2024");
    let start = Instant::now();
    match mode {
        "fresh" => {
            let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default());
            let mut out = [0u8; 32];
            for i in 0..count {
                let salt = [u8::try_from(i % 256).unwrap_or(0); 16];
                argon2
                    .hash_password_into(password.as_str().as_bytes(), &salt, &mut out)
                    .map_err(|e| e.to_string())?;
                std::hint::black_box(&out);
            }
        }
        "pooled" => {
            let hasher = Hasher::builder()
                .workers(1)
                .build()
                .map_err(|e| e.to_string())?;
            let mut rng = ChaCha20Rng::from_seed([9; 32]);
            for _ in 0..count {
                let hash = hasher
                    .hash(&password, &mut rng)
                    .map_err(|e| e.to_string())?;
                std::hint::black_box(&hash);
            }
        }
        "wipe" => {
            let mut blocks = vec![Block::new(); Params::default().block_count()];
            for _ in 0..count {
                for b in &mut blocks {
                    b.zeroize();
                }
                std::hint::black_box(&blocks);
            }
        }
        other => return Err(format!("unknown mode {other:?} (fresh, pooled, wipe)")),
    }
    let elapsed = start.elapsed();
    let per = elapsed.as_secs_f64() * 1000.0 / f64::from(count.max(1));
    println!(
        "{mode:<7} {count:>4} runs  {per:>8.3} ms/run  peak RSS (VmHWM) {:>7} KiB  final RSS {:>7} KiB",
        status_kib("VmHWM:"),
        status_kib("VmRSS:"),
    );
    Ok(())
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args
        .get(1)
        .map(|s| s.parse::<u32>().map_err(|e| e.to_string()))
        .transpose()?
        .unwrap_or(300);
    if let Some(mode) = args.first() {
        return run(mode, count);
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    println!("argon2id m=19456 KiB t=2 p=1, one thread, {count} runs per mode");
    for mode in ["fresh", "pooled", "wipe"] {
        let status = Command::new(&me)
            .arg(mode)
            .arg(count.to_string())
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("{mode} failed: {status}"));
        }
    }
    Ok(())
}
