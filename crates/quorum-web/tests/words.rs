//! Every word on screen exists in Vietnamese and in English: reads each module's `vi:` and
//! `en:` blocks (in `i18n.js` and in each `define({...})`) and every `t('key')` the app
//! calls, and fails on a key missing from either language or defined twice.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The app's scripts: (file name, text).
fn scripts() -> Vec<(String, String)> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut scripts: Vec<(String, String)> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "js"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    scripts.sort();
    scripts
}

/// The keys each language block of `script` defines: `vi: {` … `}` holding lines
/// `key: 'text',` (a long text may continue on the next lines).
fn defined(script: &str) -> BTreeMap<&'static str, Vec<String>> {
    let mut words: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut language = None;
    for line in script.lines() {
        let trimmed = line.trim();
        match (language, trimmed) {
            (None, "vi: {") => language = Some("vi"),
            (None, "en: {") => language = Some("en"),
            (None, "vi: {}," | "en: {},") => {}
            (Some(_), _) if trimmed.starts_with('}') => language = None,
            (Some(lang), _) => {
                let key = trimmed
                    .split_once(": ")
                    .map(|(key, _)| key)
                    .or_else(|| trimmed.strip_suffix(':'));
                if let Some(key) = key {
                    let is_key = key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    if is_key && !key.is_empty() {
                        words.entry(lang).or_default().push(key.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    words
}

/// The literal keys of `t('key'…)` calls, and the prefixes of `t(`prefix_${…}`)` calls.
fn used(script: &str) -> (Vec<String>, Vec<String>) {
    let mut keys = Vec::new();
    let mut prefixes = Vec::new();
    for (index, _) in script.match_indices("t(") {
        // Only a call of `t` itself, not of `select(`, `at(` and the like.
        let before = script[..index].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let rest = &script[index + 2..];
        if let Some((key, _)) = rest
            .strip_prefix('\'')
            .and_then(|rest| rest.split_once('\''))
        {
            keys.push(key.to_owned());
        } else if let Some((prefix, _)) = rest
            .strip_prefix('`')
            .and_then(|rest| rest.split_once("${"))
        {
            prefixes.push(prefix.to_owned());
        }
    }
    (keys, prefixes)
}

#[test]
fn every_word_exists_in_both_languages_once() {
    let mut all: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (name, script) in scripts() {
        let words = defined(&script);
        let vi: BTreeSet<String> = words
            .get("vi")
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let en: BTreeSet<String> = words
            .get("en")
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(only_vi.is_empty(), "{name}: no English for {only_vi:?}");
        assert!(only_en.is_empty(), "{name}: no Vietnamese for {only_en:?}");
        for (lang, keys) in &words {
            let set = all.entry(lang).or_default();
            for key in keys {
                assert!(
                    set.insert(key.clone()),
                    "{name}: \"{key}\" ({lang}) is defined twice"
                );
            }
        }
    }
    assert!(
        all.get("vi").is_some_and(|keys| keys.len() > 50),
        "the word lists were not found"
    );
}

#[test]
fn every_word_the_app_uses_is_defined() {
    let scripts = scripts();
    let mut known = BTreeSet::new();
    for (_, script) in &scripts {
        known.extend(defined(script).remove("vi").unwrap_or_default());
    }
    let mut missing = Vec::new();
    for (name, script) in &scripts {
        let (keys, prefixes) = used(script);
        for key in keys {
            if !known.contains(&key) {
                missing.push(format!("{name}: t('{key}')"));
            }
        }
        for prefix in prefixes {
            if !known.iter().any(|key| key.starts_with(&prefix)) {
                missing.push(format!("{name}: t(`{prefix}${{…}}`)"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "words used but not defined: {missing:#?}"
    );
}

#[test]
fn the_checks_find_what_they_look_for() {
    let script = "define({\n  vi: {\n    yes: 'Có',\n    long_one:\n      'Dài',\n  },\n  en: {\n    yes: 'Yes',\n  },\n});\nt('yes'); x.at('no'); t(`status_${s}`);";
    let words = defined(script);
    assert_eq!(words["vi"], ["yes", "long_one"]);
    assert_eq!(words["en"], ["yes"]);
    let (keys, prefixes) = used(script);
    assert_eq!(keys, ["yes"]);
    assert_eq!(prefixes, ["status_"]);
}
