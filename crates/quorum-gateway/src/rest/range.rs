//! HTTP conditional and range requests on a stored document (RFC 9110 §13–14): a device
//! that already holds the content gets `304`, and one whose download broke off asks for
//! the rest with `Range: bytes=N-` and gets `206`. One range per request: a request for
//! several is answered with the whole document, as the RFC allows.

use axum::http::{HeaderMap, header};

/// What a GET of a document of `size` bytes with entity tag `etag` should answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    /// `304 Not Modified`: the device holds this version.
    NotModified,
    /// `200 OK` with the whole document.
    Whole,
    /// `206 Partial Content`: bytes `start..=end`.
    Part {
        /// The first byte.
        start: u64,
        /// The last byte, included.
        end: u64,
    },
    /// `416 Range Not Satisfiable`: the range starts past the end.
    Unsatisfiable,
}

/// Reads `If-None-Match`, `Range` and `If-Range` against the document's `etag` (quoted,
/// as sent in `ETag`) and `size`.
pub(super) fn answer(headers: &HeaderMap, etag: &str, size: u64) -> Answer {
    let held = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*");
    if held {
        return Answer::NotModified;
    }
    let Some(range) = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
    else {
        return Answer::Whole;
    };
    // A range is only for the version the device has: with another, send it all.
    if let Some(condition) = headers.get(header::IF_RANGE)
        && condition.to_str().ok() != Some(etag)
    {
        return Answer::Whole;
    }
    parse(range, size)
}

/// One `bytes=` range of a document of `size` bytes.
fn parse(range: &str, size: u64) -> Answer {
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return Answer::Whole;
    };
    if spec.contains(',') {
        return Answer::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Answer::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let number = |text: &str| text.parse::<u64>().ok();
    if first.is_empty() {
        // `bytes=-N`: the last N bytes.
        return match number(last) {
            Some(0) => Answer::Unsatisfiable,
            Some(_) if size == 0 => Answer::Unsatisfiable,
            Some(suffix) => Answer::Part {
                start: size.saturating_sub(suffix),
                end: size - 1,
            },
            None => Answer::Whole,
        };
    }
    // Anything not understood is ignored, as the RFC says: the whole document goes.
    let Some(start) = number(first) else {
        return Answer::Whole;
    };
    if start >= size {
        return Answer::Unsatisfiable;
    }
    let end = if last.is_empty() {
        size - 1
    } else {
        match number(last) {
            Some(last) if last >= start => last.min(size - 1),
            _ => return Answer::Whole,
        }
    };
    Answer::Part { start, end }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const TAG: &str = "\"abc\"";

    fn with(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn ranges_are_read_as_the_rfc_says() {
        let cases: &[(&str, Answer)] = &[
            ("bytes=0-9", Answer::Part { start: 0, end: 9 }),
            ("bytes=10-", Answer::Part { start: 10, end: 99 }),
            ("bytes=90-200", Answer::Part { start: 90, end: 99 }),
            ("bytes=-5", Answer::Part { start: 95, end: 99 }),
            ("bytes=-500", Answer::Part { start: 0, end: 99 }),
            ("bytes=100-", Answer::Unsatisfiable),
            ("bytes=-0", Answer::Unsatisfiable),
            ("bytes=9-3", Answer::Whole),
            ("bytes=0-1,5-6", Answer::Whole),
            ("items=0-1", Answer::Whole),
            ("bytes=x-1", Answer::Whole),
            ("bytes=1-x", Answer::Whole),
        ];
        for (range, expected) in cases {
            assert_eq!(parse(range, 100), *expected, "{range}");
        }
        assert_eq!(parse("bytes=0-", 0), Answer::Unsatisfiable);
    }

    #[test]
    fn conditions_come_before_ranges() {
        let none = HeaderMap::new();
        assert_eq!(answer(&none, TAG, 10), Answer::Whole);
        let held = with(&[(header::IF_NONE_MATCH, "\"x\", \"abc\"")]);
        assert_eq!(answer(&held, TAG, 10), Answer::NotModified);
        let range = with(&[(header::RANGE, "bytes=2-")]);
        assert_eq!(answer(&range, TAG, 10), Answer::Part { start: 2, end: 9 });
        let same = with(&[(header::RANGE, "bytes=2-"), (header::IF_RANGE, "\"abc\"")]);
        assert_eq!(answer(&same, TAG, 10), Answer::Part { start: 2, end: 9 });
        let other = with(&[(header::RANGE, "bytes=2-"), (header::IF_RANGE, "\"old\"")]);
        assert_eq!(answer(&other, TAG, 10), Answer::Whole);
    }
}
