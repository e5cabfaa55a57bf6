//! `cargo xtask browser-deps`: what the browser end-to-end tests need, installed by the
//! project itself — Debian's `chromium` (never a browser download of playwright's own),
//! poppler's `pdftotext` (the minutes' tests), `openssl` (the TLS test offers the hub
//! the versions rustls cannot) and the npm packages pinned in
//! `crates/quorum-web/tests/browser/package-lock.json`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Where Debian installs the browser; the tests launch exactly this one.
const CHROMIUM: &str = "/usr/bin/chromium";
/// The browser tests' folder, from the workspace root.
const TESTS: &str = "crates/quorum-web/tests/browser";
/// The Debian packages: the browser, a font with every Vietnamese letter, poppler's
/// `pdftotext`, with which the minutes' tests read the PDF back, and `openssl`, whose
/// `s_client` offers the hub TLS 1.0 and 1.1 in the TLS test.
const PACKAGES: &[&str] = &["chromium", "fonts-dejavu-core", "poppler-utils", "openssl"];
/// The programs the tests run, and the package that installs each.
const PROGRAMS: &[(&str, &str)] = &[
    (CHROMIUM, "chromium"),
    ("/usr/bin/pdftotext", "poppler-utils"),
    ("/usr/bin/openssl", "openssl"),
];
/// A copy of the lock `npm ci` last installed, to notice when the lock changes.
const INSTALLED_LOCK: &str = "node_modules/.quorum-installed-lock.json";

/// Installs the Debian packages if a program the tests run is missing, and the npm
/// packages if missing or out of date.
pub(crate) fn deps(root: &Path) -> Result<()> {
    if PROGRAMS
        .iter()
        .all(|(program, _)| Path::new(program).exists())
    {
        eprintln!("browser-deps: the programs the tests run are installed");
    } else {
        install_packages()?;
    }
    npm_ci(&root.join(TESTS))
}

fn install_packages() -> Result<()> {
    eprintln!(
        "browser-deps: installing {} with apt-get",
        PACKAGES.join(" ")
    );
    let install = || {
        run(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(PACKAGES))
    };
    // A machine whose package lists were never fetched knows no chromium: fetch them
    // only then, as the update is the slow part.
    if install().is_err() {
        eprintln!("browser-deps: apt-get install failed; updating the package lists first");
        run(Command::new("apt-get").arg("update"))?;
        install()?;
    }
    for (program, package) in PROGRAMS {
        if !Path::new(program).exists() {
            bail!("apt-get installed {package} but {program} is not there");
        }
    }
    Ok(())
}

fn npm_ci(dir: &Path) -> Result<()> {
    let lock_path = dir.join("package-lock.json");
    let lock =
        std::fs::read(&lock_path).with_context(|| format!("reading {}", lock_path.display()))?;
    let installed = std::fs::read(dir.join(INSTALLED_LOCK)).ok();
    if dir.join("node_modules/playwright-core").is_dir() && installed.as_ref() == Some(&lock) {
        eprintln!("browser-deps: node_modules is up to date with package-lock.json");
        return Ok(());
    }
    eprintln!("browser-deps: npm ci in {}", dir.display());
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--prefer-offline"])
        .current_dir(dir))
    .context("npm ci failed (node and npm must be installed)")?;
    let stamp = dir.join(INSTALLED_LOCK);
    std::fs::write(&stamp, &lock).with_context(|| format!("writing {}", stamp.display()))
}

fn run(command: &mut Command) -> Result<()> {
    let shown = format!("{command:?}");
    let status = command
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .with_context(|| format!("running {shown}"))?;
    if !status.success() {
        bail!("{shown} exited with {status}");
    }
    Ok(())
}
