//! Filling values into a message's `{}` placeholders.

/// `template` with its first `{}` replaced by `value`.
pub(super) fn fill(template: &str, value: &str) -> String {
    template.replacen("{}", value, 1)
}

/// `template` with its first two `{}` replaced by `first` and `second`, in that order.
pub(super) fn fill2(template: &str, first: &str, second: &str) -> String {
    fill(&fill(template, first), second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_order() {
        assert_eq!(fill("a {} b {}", "1"), "a 1 b {}");
        assert_eq!(fill2("({} 行 {} 文字目)", "3", "7"), "(3 行 7 文字目)");
        assert_eq!(fill("no placeholder", "x"), "no placeholder");
    }
}
