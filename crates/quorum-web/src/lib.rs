//! The browser app, embedded: the files under `assets/` compiled into the binary, for
//! the gateway to serve at `/`, `/join`, `/app` and `/assets/…`. No build step and no
//! Node.js: edit a file, rebuild the binary.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// One file, ready to serve: embedded, or read from [`DEV_DIR_VARIABLE`]'s folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// The file.
    pub body: Cow<'static, [u8]>,
    /// A strong entity tag, quoted as `ETag` sends it: a digest of the body.
    pub etag: Cow<'static, str>,
}

/// A developer's aid: when this environment variable names a folder (the crate's
/// `assets/`), files are read from it at every request instead of from the binary, so an
/// edit shows on the next reload without a rebuild. Only files listed in the binary are
/// served, and `index.html` then links them without a version. Never set in production.
pub const DEV_DIR_VARIABLE: &str = "QUORUM_WEB_DEV_DIR";

static DEV_DIR: LazyLock<Option<PathBuf>> =
    LazyLock::new(|| std::env::var_os(DEV_DIR_VARIABLE).map(PathBuf::from));

/// The page the app's routes serve; it loads everything else.
pub const INDEX: &str = "index.html";

/// What the page may load and where it may connect: only the hub itself. Every asset
/// keeps to it — no inline script or style, no `eval`, no third-party origin — and the
/// tests below check `index.html` for it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; connect-src 'self' ws: wss:; \
     img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Every embedded file: its path under `assets/`, its content type and its bytes.
const FILES: &[(&str, &str, &[u8])] = &[
    (INDEX, HTML, include_bytes!("../assets/index.html")),
    ("app.css", CSS, include_bytes!("../assets/app.css")),
    ("icon.svg", SVG, include_bytes!("../assets/icon.svg")),
    ("main.js", JS, include_bytes!("../assets/main.js")),
    ("api.js", JS, include_bytes!("../assets/api.js")),
    ("socket.js", JS, include_bytes!("../assets/socket.js")),
    ("view.js", JS, include_bytes!("../assets/view.js")),
    ("ballot.js", JS, include_bytes!("../assets/ballot.js")),
    ("render.js", JS, include_bytes!("../assets/render.js")),
    ("i18n.js", JS, include_bytes!("../assets/i18n.js")),
    ("dom.js", JS, include_bytes!("../assets/dom.js")),
    ("projector.js", JS, include_bytes!("../assets/projector.js")),
    ("chair.js", JS, include_bytes!("../assets/chair.js")),
    ("chair.css", CSS, include_bytes!("../assets/chair.css")),
    ("floor.js", JS, include_bytes!("../assets/floor.js")),
    ("floor.css", CSS, include_bytes!("../assets/floor.css")),
    ("alert.js", JS, include_bytes!("../assets/alert.js")),
    ("documents.js", JS, include_bytes!("../assets/documents.js")),
    (
        "documents.css",
        CSS,
        include_bytes!("../assets/documents.css"),
    ),
    ("secretary.js", JS, include_bytes!("../assets/secretary.js")),
    (
        "secretary.css",
        CSS,
        include_bytes!("../assets/secretary.css"),
    ),
];

/// The asset at `path` (under `/assets/`, such as `main.js`), or [`INDEX`].
pub fn asset(path: &str) -> Option<Asset> {
    let (name, asset) = ASSETS.iter().find(|(name, _)| *name == path)?;
    match DEV_DIR.as_deref() {
        Some(folder) => {
            let body = std::fs::read(folder.join(name)).ok()?;
            let etag = format!("\"{}\"", hex(&Sha256::digest(&body), 16));
            Some(Asset {
                content_type: asset.content_type,
                body: Cow::Owned(body),
                etag: Cow::Owned(etag),
            })
        }
        None => Some(asset.clone()),
    }
}

/// Whether files are read from [`DEV_DIR_VARIABLE`]'s folder rather than the binary.
pub fn serves_from_folder() -> bool {
    DEV_DIR.is_some()
}

/// The version of the assets: a digest of them all. The page refers to the other
/// assets under `/assets/{version}/`, a path whose content never changes, so browsers
/// may cache them for long and still load the new ones after an upgrade.
pub fn version() -> &'static str {
    &VERSION
}

// Digests are computed once, at first use; a build script could do it at compile time,
// but a few kilobytes hashed once cost less than a build step.

static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = Sha256::new();
    for (name, content_type, body) in FILES.iter().filter(|(name, _, _)| *name != INDEX) {
        for part in [name.as_bytes(), content_type.as_bytes(), body] {
            hasher.update(u64::try_from(part.len()).unwrap_or(u64::MAX).to_le_bytes());
            hasher.update(part);
        }
    }
    hex(&hasher.finalize(), 12)
});

/// The page, with its links to assets pointing into the versioned path.
static INDEX_BODY: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let page = FILES
        .iter()
        .find(|(name, _, _)| *name == INDEX)
        .map(|(_, _, body)| String::from_utf8_lossy(body))
        .unwrap_or_default();
    page.replace("\"/assets/", &format!("\"/assets/{}/", *VERSION))
        .into_bytes()
});

/// Entity tags, in the order of [`FILES`].
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, _, body)| {
            let body: &[u8] = if *name == INDEX { &INDEX_BODY } else { body };
            format!("\"{}\"", hex(&Sha256::digest(body), 16))
        })
        .collect()
});

static ASSETS: LazyLock<Vec<(&'static str, Asset)>> = LazyLock::new(|| {
    FILES
        .iter()
        .zip(ETAGS.iter())
        .map(|(&(name, content_type, body), etag)| {
            let body: &'static [u8] = if name == INDEX { &INDEX_BODY } else { body };
            let asset = Asset {
                content_type,
                body: Cow::Borrowed(body),
                etag: Cow::Borrowed(etag.as_str()),
            };
            (name, asset)
        })
        .collect()
});

/// The first `chars` hexadecimal digits of a digest.
fn hex(digest: &[u8], chars: usize) -> String {
    digest
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0x0f])
        .take(chars)
        .map(|nibble| char::from_digit(u32::from(nibble), 16).unwrap_or('0'))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// An embedded file as text (the binary's copy, whatever the environment says).
    fn text(name: &str) -> &'static str {
        let (_, asset) = ASSETS.iter().find(|(n, _)| *n == name).expect(name);
        std::str::from_utf8(&asset.body).expect("assets are UTF-8")
    }

    /// The content type a file's extension calls for.
    fn expected_type(name: &str) -> &'static str {
        match name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("html") => HTML,
            Some("css") => CSS,
            Some("js") => JS,
            Some("svg") => SVG,
            other => panic!("no content type known for {name} ({other:?})"),
        }
    }

    /// The values of `attribute="…"` in `html`.
    fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
        let needle = format!(" {attribute}=\"");
        html.split(needle.as_str())
            .skip(1)
            .filter_map(|rest| rest.split_once('"').map(|(value, _)| value))
            .collect()
    }

    /// The modules a script imports (`from './x.js'`).
    fn imports(script: &str) -> Vec<&str> {
        script
            .split(" from './")
            .skip(1)
            .filter_map(|rest| rest.split_once('\'').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_asset_has_the_content_type_of_its_extension() {
        for (name, _, _) in FILES {
            let asset = asset(name).expect(name);
            assert_eq!(asset.content_type, expected_type(name), "{name}");
            assert!(!asset.body.is_empty(), "{name} is empty");
        }
    }

    #[test]
    fn every_file_in_the_assets_folder_is_embedded() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let on_disk: BTreeSet<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        let embedded: BTreeSet<String> =
            FILES.iter().map(|(name, _, _)| name.to_string()).collect();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn the_page_refers_only_to_assets_that_exist() {
        let page = text(INDEX);
        let prefix = format!("/assets/{}/", version());
        let mut referenced = Vec::new();
        for value in attribute_values(page, "src")
            .into_iter()
            .chain(attribute_values(page, "href"))
        {
            let name = value
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{value} is not under {prefix}"));
            referenced.push(name);
        }
        assert!(referenced.contains(&"main.js"), "{referenced:?}");
        assert!(referenced.contains(&"app.css"), "{referenced:?}");
        for name in referenced {
            assert!(
                asset(name).is_some(),
                "index.html refers to a missing {name}"
            );
        }
        // The script is a module (strict mode, deferred) and the stylesheet a stylesheet.
        assert!(page.contains(&format!("<script type=\"module\" src=\"{prefix}main.js\">")));
        assert!(page.contains(&format!(
            "<link rel=\"stylesheet\" href=\"{prefix}app.css\">"
        )));
    }

    #[test]
    fn every_imported_module_exists_and_is_javascript() {
        for (name, content_type, _) in FILES {
            if *content_type != JS {
                continue;
            }
            for import in imports(text(name)) {
                let module =
                    asset(import).unwrap_or_else(|| panic!("{name} imports a missing {import}"));
                assert_eq!(module.content_type, JS, "{name} imports {import}");
            }
        }
        // Every module is reachable from main.js.
        let mut seen = BTreeSet::from(["main.js"]);
        let mut queue = vec!["main.js"];
        while let Some(name) = queue.pop() {
            for import in imports(text(name)) {
                if seen.insert(import) {
                    queue.push(import);
                }
            }
        }
        for (name, content_type, _) in FILES {
            if *content_type == JS {
                assert!(seen.contains(name), "{name} is never imported");
            }
        }
    }

    #[test]
    fn the_assets_keep_to_the_content_security_policy() {
        let page = text(INDEX);
        assert!(!page.contains(" style="), "inline style in index.html");
        let handler = page.split(" on").skip(1).any(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert!(!handler, "inline event handler in index.html");
        for script in page.split("<script").skip(1) {
            assert!(script.contains(" src=\""), "inline script in index.html");
        }
        for (name, content_type, _) in FILES {
            if *content_type == JS {
                let script = text(name);
                // Text goes into the page as text, never as markup.
                for banned in [
                    "innerHTML",
                    "outerHTML",
                    "insertAdjacentHTML",
                    "eval(",
                    "new Function",
                ] {
                    assert!(!script.contains(banned), "{name} uses {banned}");
                }
                assert!(script.starts_with("// "), "{name} lacks its top comment");
            }
        }
    }

    #[test]
    fn versions_and_etags_follow_the_content() {
        assert_eq!(version().len(), 12);
        let tags: BTreeSet<String> = FILES
            .iter()
            .map(|(name, _, _)| asset(name).unwrap().etag.into_owned())
            .collect();
        assert_eq!(tags.len(), FILES.len(), "entity tags must differ");
        for tag in tags {
            assert!(
                tag.starts_with('"') && tag.ends_with('"') && tag.len() == 18,
                "{tag}"
            );
        }
        assert_eq!(asset("nope.js"), None);
        assert_eq!(asset("../Cargo.toml"), None);
    }
}
