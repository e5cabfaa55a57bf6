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

/// The service worker, served at `/sw.js` (its scope is the folder it is served from, and
/// the app's pages live at the root) with this version's list of files to keep offline.
pub const SERVICE_WORKER: &str = "sw.js";

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
const TEXT: &str = "text/plain; charset=utf-8";

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
    ("polls.js", JS, include_bytes!("../assets/polls.js")),
    ("outcomes.js", JS, include_bytes!("../assets/outcomes.js")),
    ("clock.js", JS, include_bytes!("../assets/clock.js")),
    ("i18n.js", JS, include_bytes!("../assets/i18n.js")),
    ("dom.js", JS, include_bytes!("../assets/dom.js")),
    ("projector.js", JS, include_bytes!("../assets/projector.js")),
    ("push.js", JS, include_bytes!("../assets/push.js")),
    ("chair.js", JS, include_bytes!("../assets/chair.js")),
    (
        "chair-agenda.js",
        JS,
        include_bytes!("../assets/chair-agenda.js"),
    ),
    (
        "chair-poll.js",
        JS,
        include_bytes!("../assets/chair-poll.js"),
    ),
    (
        "chair-new-poll.js",
        JS,
        include_bytes!("../assets/chair-new-poll.js"),
    ),
    ("chair.css", CSS, include_bytes!("../assets/chair.css")),
    ("floor.js", JS, include_bytes!("../assets/floor.js")),
    ("floor.css", CSS, include_bytes!("../assets/floor.css")),
    ("alert.js", JS, include_bytes!("../assets/alert.js")),
    (
        "alert-chair.js",
        JS,
        include_bytes!("../assets/alert-chair.js"),
    ),
    (
        "floor-chair.js",
        JS,
        include_bytes!("../assets/floor-chair.js"),
    ),
    (
        "floor-parts.js",
        JS,
        include_bytes!("../assets/floor-parts.js"),
    ),
    ("documents.js", JS, include_bytes!("../assets/documents.js")),
    (
        "documents.css",
        CSS,
        include_bytes!("../assets/documents.css"),
    ),
    ("secretary.js", JS, include_bytes!("../assets/secretary.js")),
    (
        "secretary-new.js",
        JS,
        include_bytes!("../assets/secretary-new.js"),
    ),
    (
        "secretary-new-form.js",
        JS,
        include_bytes!("../assets/secretary-new-form.js"),
    ),
    (
        "secretary-templates.js",
        JS,
        include_bytes!("../assets/secretary-templates.js"),
    ),
    (
        "secretary-roster.js",
        JS,
        include_bytes!("../assets/secretary-roster.js"),
    ),
    (
        "secretary-documents.js",
        JS,
        include_bytes!("../assets/secretary-documents.js"),
    ),
    (
        "secretary-versions.js",
        JS,
        include_bytes!("../assets/secretary-versions.js"),
    ),
    (
        "secretary-invitations.js",
        JS,
        include_bytes!("../assets/secretary-invitations.js"),
    ),
    (
        "secretary-notices.js",
        JS,
        include_bytes!("../assets/secretary-notices.js"),
    ),
    (
        "secretary-transfer.js",
        JS,
        include_bytes!("../assets/secretary-transfer.js"),
    ),
    (
        "secretary.css",
        CSS,
        include_bytes!("../assets/secretary.css"),
    ),
    (
        "secretary-new.css",
        CSS,
        include_bytes!("../assets/secretary-new.css"),
    ),
    (
        "secretary-sheet.css",
        CSS,
        include_bytes!("../assets/secretary-sheet.css"),
    ),
    (
        "documents-store.js",
        JS,
        include_bytes!("../assets/documents-store.js"),
    ),
    (
        "documents-notes.js",
        JS,
        include_bytes!("../assets/documents-notes.js"),
    ),
    (
        "documents-reader.js",
        JS,
        include_bytes!("../assets/documents-reader.js"),
    ),
    (
        "documents-pdf.js",
        JS,
        include_bytes!("../assets/documents-pdf.js"),
    ),
    (
        "documents-queue.js",
        JS,
        include_bytes!("../assets/documents-queue.js"),
    ),
    (SERVICE_WORKER, JS, include_bytes!("../assets/sw.js")),
    // pdf.js, vendored as published (see vendor/pdfjs/SOURCE.txt): loaded only when a
    // PDF is opened.
    (
        "vendor/pdfjs/pdf.min.mjs",
        JS,
        include_bytes!("../assets/vendor/pdfjs/pdf.min.mjs"),
    ),
    (
        "vendor/pdfjs/pdf.worker.min.mjs",
        JS,
        include_bytes!("../assets/vendor/pdfjs/pdf.worker.min.mjs"),
    ),
    (
        "vendor/pdfjs/LICENSE",
        TEXT,
        include_bytes!("../assets/vendor/pdfjs/LICENSE"),
    ),
    (
        "vendor/pdfjs/SOURCE.txt",
        TEXT,
        include_bytes!("../assets/vendor/pdfjs/SOURCE.txt"),
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

/// The service worker, as `/sw.js` serves it: [`SERVICE_WORKER`] with this version and
/// the files a device keeps to open the app offline filled in. Its bytes change with
/// every upgrade, so browsers install the new worker, which fetches the new files and
/// drops the old ones. With [`DEV_DIR_VARIABLE`] set, it lists the files without a
/// version, which the worker always asks the hub for first.
pub fn service_worker() -> Option<Asset> {
    match DEV_DIR.as_deref() {
        Some(folder) => {
            let script = std::fs::read_to_string(folder.join(SERVICE_WORKER)).ok()?;
            let body = fill_service_worker(&script, "dev", "/assets/").into_bytes();
            let etag = format!("\"{}\"", hex(&Sha256::digest(&body), 16));
            Some(Asset {
                content_type: JS,
                body: Cow::Owned(body),
                etag: Cow::Owned(etag),
            })
        }
        None => Some(SERVICE_WORKER_ASSET.clone()),
    }
}

/// What the worker's script leaves for the hub to fill in.
const VERSION_SLOT: &str = "'__QUORUM_VERSION__'";
const SHELL_SLOT: &str = "['__QUORUM_SHELL__']";

/// `script` with the version and the app's files (under `prefix`) in their slots.
fn fill_service_worker(script: &str, version: &str, prefix: &str) -> String {
    let shell: Vec<String> = std::iter::once("\"/app\"".to_owned())
        .chain(
            FILES
                .iter()
                .filter(|(name, content_type, _)| {
                    *name != INDEX
                        && *name != SERVICE_WORKER
                        && [JS, CSS, SVG].contains(content_type)
                })
                .map(|(name, _, _)| format!("\"{prefix}{name}\"")),
        )
        .collect();
    script
        .replace(VERSION_SLOT, &format!("'{version}'"))
        .replace(SHELL_SLOT, &format!("[{}]", shell.join(", ")))
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

/// The worker as the binary serves it.
static SERVICE_WORKER_ASSET: LazyLock<Asset> = LazyLock::new(|| {
    let script = FILES
        .iter()
        .find(|(name, _, _)| *name == SERVICE_WORKER)
        .map(|(_, _, body)| String::from_utf8_lossy(body))
        .unwrap_or_default();
    let body = fill_service_worker(&script, &VERSION, &format!("/assets/{}/", *VERSION));
    let etag = format!("\"{}\"", hex(&Sha256::digest(body.as_bytes()), 16));
    Asset {
        content_type: JS,
        body: Cow::Owned(body.into_bytes()),
        etag: Cow::Owned(etag),
    }
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

    /// Third-party files, kept byte for byte as published: not held to the app's own
    /// rules for scripts (a top comment, no banned words), and never imported statically.
    const VENDOR: &str = "vendor/";

    /// An embedded file as text (the binary's copy, whatever the environment says).
    fn text(name: &str) -> &'static str {
        let (_, asset) = ASSETS.iter().find(|(n, _)| *n == name).expect(name);
        std::str::from_utf8(&asset.body).expect("assets are UTF-8")
    }

    /// The content type a file's extension calls for.
    fn expected_type(name: &str) -> &'static str {
        if name.ends_with("/LICENSE") {
            return TEXT;
        }
        match name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("html") => HTML,
            Some("css") => CSS,
            Some("js" | "mjs") => JS,
            Some("svg") => SVG,
            Some("txt") => TEXT,
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
        /// The files under `folder`, as paths relative to `root` with `/` between names.
        fn walk(root: &std::path::Path, folder: &std::path::Path, found: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, found);
                } else {
                    let relative = path.strip_prefix(root).unwrap();
                    let names: Vec<&str> = relative
                        .components()
                        .map(|part| part.as_os_str().to_str().unwrap())
                        .collect();
                    found.insert(names.join("/"));
                }
            }
        }
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let mut on_disk = BTreeSet::new();
        walk(&folder, &folder, &mut on_disk);
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
            if *content_type != JS || name.starts_with(VENDOR) {
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
        // The service worker is registered, not imported, and pdf.js is imported only
        // when a PDF is opened: each by a module that main.js reaches.
        let reached = |needle: &str| seen.iter().any(|name| text(name).contains(needle));
        assert!(
            reached("register('/sw.js'"),
            "nothing registers the service worker"
        );
        assert!(
            reached("import('./vendor/pdfjs/pdf.min.mjs')"),
            "nothing loads pdf.js"
        );
        assert!(
            reached("'./vendor/pdfjs/pdf.worker.min.mjs'"),
            "nothing names pdf.js's worker"
        );
        for (name, content_type, _) in FILES {
            if *content_type == JS && *name != SERVICE_WORKER && !name.starts_with(VENDOR) {
                assert!(seen.contains(name), "{name} is never imported");
            }
        }
    }

    #[test]
    fn the_service_worker_keeps_this_versions_files() {
        let worker = service_worker().expect("the service worker");
        assert_eq!(worker.content_type, JS);
        let script = std::str::from_utf8(&worker.body).unwrap();
        assert!(!script.contains("__QUORUM_"), "a slot is left unfilled");
        if serves_from_folder() {
            return;
        }
        assert!(script.contains(&format!("const VERSION = '{}';", version())));
        let prefix = format!("/assets/{}/", version());
        for name in [
            "main.js",
            "app.css",
            "documents.js",
            "vendor/pdfjs/pdf.worker.min.mjs",
        ] {
            assert!(
                script.contains(&format!("\"{prefix}{name}\"")),
                "{name} is not kept"
            );
        }
        assert!(script.contains("\"/app\""), "the page is not kept");
        // Neither the worker itself nor the licence texts are fetched for offline use.
        assert!(!script.contains(&format!("\"{prefix}sw.js\"")));
        assert!(!script.contains("LICENSE\""));
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
            if *content_type == JS && !name.starts_with(VENDOR) {
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
