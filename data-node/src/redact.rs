//! redact: server paths out of texts that go to clients. Storage errors name the files they
//! failed on, which is what an operator reading the log needs and what a client must not
//! learn (the layout of the server). The node's directory is made absolute at start, so
//! every path in such a text starts with `/`; the full text goes to the log where the error
//! is handled.

/// What stands where a path was.
pub const HIDDEN: &str = "[path]";

/// The node's directory, once the server knows it: hidden even where it has spaces.
static ROOT: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Tells [`paths`] the node's directory (absolute). The first call wins.
pub fn set_root(dir: &std::path::Path) {
    let _ = ROOT.set(dir.display().to_string());
}

/// `text` with every absolute path (a `/` at the start of a word, up to the next space or
/// quote; a trailing `:` `.` is kept as punctuation), and anything under the node's
/// directory even with spaces in it, replaced by [`HIDDEN`].
pub fn paths(text: &str) -> String {
    paths_under(text, ROOT.get().map(String::as_str))
}

fn paths_under(text: &str, root: Option<&str>) -> String {
    let text = match root.filter(|r| r.len() > 1) {
        Some(root) if text.contains(root) => hide_root(text, root),
        _ => text.to_owned(),
    };
    hide_absolute(&text)
}

/// Every `root...` up to the next space or quote becomes [`HIDDEN`].
fn hide_root(text: &str, root: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(root) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + root.len()..];
        let end = tail
            .find(|ch: char| ch.is_whitespace() || "\"'`)]}>,;".contains(ch))
            .unwrap_or(tail.len());
        let kept = tail[..end].len() - tail[..end].trim_end_matches([':', '.']).len();
        out.push_str(HIDDEN);
        rest = &tail[end - kept..];
    }
    out.push_str(rest);
    out
}

fn hide_absolute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let at_word_start = prev.is_none_or(|p| p.is_whitespace() || "\"'`([{=<:,".contains(p));
        if c == '/' && at_word_start {
            let end = rest
                .find(|ch: char| ch.is_whitespace() || "\"'`)]}>,;".contains(ch))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let path = word.trim_end_matches([':', '.']);
            out.push_str(HIDDEN);
            out.push_str(&word[path.len()..]);
            prev = word.chars().last();
            rest = &rest[end..];
            continue;
        }
        out.push(c);
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_are_hidden_and_the_rest_kept() {
        let f = |text: &str, want: &str| assert_eq!(paths_under(text, None), want, "{text:?}");
        f(
            "cannot write /srv/cairn/data/db/autogen/1/wal/00001.wal: No space left on device (os error 28)",
            "cannot write [path]: No space left on device (os error 28)",
        );
        f(
            "RocksDB: cannot open in /tmp/x/data/db/rp/7: IO error: While open a file for appending: /tmp/x/data/db/rp/7/000012.log: Permission denied",
            "RocksDB: cannot open in [path]: IO error: While open a file for appending: [path]: Permission denied",
        );
        f("shard \"/a b/c\" is damaged", "shard \"[path] b/c\" is damaged");
        // Under the node's directory, spaces and all.
        let root = Some("/home/me/My Data/cairn");
        assert_eq!(
            paths_under("cannot open /home/me/My Data/cairn/data/db/rp/1: gone", root),
            "cannot open [path]: gone"
        );
        assert_eq!(paths_under("no path here", root), "no path here");
        f("path=/x/y, then (/z).", "path=[path], then ([path]).");
        f("cannot read /", "cannot read [path]");
        // Not paths: a slash inside a word, and texts without one.
        f("bucket name \"db/rp\" is fine", "bucket name \"db/rp\" is fine");
        f("1/2 of ünïcode", "1/2 of ünïcode");
        f("", "");
    }
}
