//! The search page in a real headless Chromium, driven over WebDriver
//! (chromedriver, plain HTTP and JSON): type a query, see highlighted
//! results, filter to practices, use the back button, open a passage, and
//! check that a report's `<script>` shows as text. Screenshots go to
//! `target/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by `.ci/run`).
//! Without them the test is skipped, except under `CI=true`, where it fails.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use crate::harness::{agent, find_program, in_ci, Server};

/// The key WebDriver sends for Enter.
const ENTER: &str = "\u{E007}";
/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const PATIENCE: Duration = Duration::from_secs(15);

/// A chromedriver process and one browser session; both end when dropped.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(chromium: &PathBuf, chromedriver: &PathBuf) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = agent()
                .get(&format!("{base}/status"))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                break;
            }
            if started.elapsed() > PATIENCE {
                let _ = driver.kill();
                panic!("chromedriver did not start on port {port}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1200,1000",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}});
        let answer = request("POST", &format!("{base}/session"), Some(capabilities));
        let session = answer["value"]["sessionId"].as_str().map(str::to_string);
        let Some(session) = session else {
            let _ = driver.kill();
            panic!("no browser session: {answer}");
        };
        Browser {
            driver,
            base,
            session,
            _profile: profile,
        }
    }

    /// A WebDriver command; `Err` carries WebDriver's error name.
    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let answer = request(
            method,
            &format!("{}/session/{}{path}", self.base, self.session),
            body,
        );
        match answer["value"]["error"].as_str() {
            Some(error) => Err(format!("{error}: {}", answer["value"]["message"])),
            None => Ok(answer["value"].clone()),
        }
    }

    fn go_to(&self, url: &str) {
        self.command("POST", "/url", Some(json!({ "url": url })))
            .unwrap();
    }

    fn url(&self) -> String {
        self.command("GET", "/url", None)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    fn elements(&self, css: &str) -> Vec<String> {
        let found = self.command(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        found
            .map(|list| {
                list.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn element(&self, css: &str) -> String {
        self.wait(css, || self.elements(css).into_iter().next())
    }

    fn text(&self, element: &str) -> Result<String, String> {
        self.command("GET", &format!("/element/{element}/text"), None)
            .map(|v| v.as_str().unwrap_or_default().to_string())
    }

    fn attribute(&self, element: &str, name: &str) -> Result<String, String> {
        self.command("GET", &format!("/element/{element}/attribute/{name}"), None)
            .map(|v| v.as_str().unwrap_or_default().to_string())
    }

    fn click(&self, element: &str) {
        self.command(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .unwrap();
    }

    fn type_into(&self, element: &str, text: &str) {
        self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        )
        .unwrap();
    }

    /// Texts of all elements matching `css`; `None` while one goes stale.
    fn texts(&self, css: &str) -> Option<Vec<String>> {
        self.elements(css)
            .iter()
            .map(|e| self.text(e).ok())
            .collect()
    }

    /// An attribute of all elements matching `css`.
    fn attributes(&self, css: &str, name: &str) -> Option<Vec<String>> {
        self.elements(css)
            .iter()
            .map(|e| self.attribute(e, name).ok())
            .collect()
    }

    /// Polls until `check` gives a value.
    fn wait<T>(&self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(value) = check() {
                return value;
            }
            if started.elapsed() > PATIENCE {
                let shot = self.screenshot("timeout");
                panic!(
                    "timed out waiting for {what} at {} (screenshot {})",
                    self.url(),
                    shot.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .unwrap()
            .join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let data = self.command("GET", "/screenshot", None).unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        std::fs::write(&path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
        path
    }

    /// Fails if the page opened a JavaScript dialog (an `alert(1)` that ran).
    fn assert_no_alert(&self) {
        let alert = self.command("GET", "/alert/text", None);
        assert!(
            matches!(&alert, Err(e) if e.starts_with("no such alert")),
            "a dialog is open: {alert:?}"
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request(
            "DELETE",
            &format!("{}/session/{}", self.base, self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn request(method: &str, url: &str, body: Option<Value>) -> Value {
    let agent = agent();
    let response = match method {
        "POST" => agent.post(url).send_json(body.unwrap_or_else(|| json!({}))),
        "DELETE" => agent.delete(url).call(),
        _ => agent.get(url).call(),
    };
    response
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"))
        .body_mut()
        .read_json()
        .unwrap_or(Value::Null)
}

fn tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_program("chromium", &["/usr/bin/chromium"]);
    let driver = find_program("chromedriver", &["/usr/bin/chromedriver"]);
    match (chromium, driver) {
        (Some(chromium), Some(driver)) => Some((chromium, driver)),
        _ => {
            assert!(
                !in_ci(),
                "chromium and chromedriver are needed in CI: .ci/run installs chromium and chromium-driver"
            );
            eprintln!("skipped: apt-get install chromium chromium-driver to run the browser test");
            None
        }
    }
}

#[test]
fn search_filter_and_open_a_passage_in_chromium() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let server = Server::start();
    let browser = Browser::start(&chromium, &chromedriver);

    // Type the query and press Enter.
    browser.go_to(&server.url("/"));
    let input = browser.element("#q");
    browser.type_into(&input, &format!("cadre juridique{ENTER}"));
    let kinds = browser.wait("results", || {
        browser
            .attributes("#hits li.hit", "data-kind")
            .filter(|k| !k.is_empty())
    });
    assert!(
        kinds.contains(&"section".to_string()) && kinds.contains(&"practice".to_string()),
        "{kinds:?}"
    );
    let marks = browser.wait("highlights", || {
        browser.texts("#hits mark").filter(|m| !m.is_empty())
    });
    assert!(
        marks.iter().any(|m| m.to_lowercase().starts_with("cadre")),
        "{marks:?}"
    );
    assert!(
        marks
            .iter()
            .any(|m| m.to_lowercase().starts_with("juridique")),
        "{marks:?}"
    );
    assert!(
        browser.url().ends_with("/?q=cadre+juridique"),
        "{}",
        browser.url()
    );
    let status = browser.text(&browser.element("#status")).unwrap();
    assert!(status.contains("pour « cadre juridique »"), "{status}");
    browser.screenshot("1-results");

    // The "practice" filter, with its count, leaves only practices.
    let label = browser
        .text(&browser.element("label[for='f-kind-practice']"))
        .unwrap();
    let practices: usize = label
        .trim_start_matches("Pratiques (")
        .trim_end_matches(')')
        .parse()
        .unwrap_or_else(|_| panic!("{label}"));
    browser.click(&browser.element("#f-kind-practice"));
    let filtered = browser.wait("only practices", || {
        browser
            .attributes("#hits li.hit", "data-kind")
            .filter(|k| !k.is_empty() && k.iter().all(|k| k == "practice"))
    });
    assert_eq!(
        filtered.len(),
        practices,
        "the count beside the filter is what it gives"
    );
    assert!(browser.url().contains("kind=practice"), "{}", browser.url());
    browser.screenshot("2-practices");

    // The back button brings the sections back; forward filters again.
    browser.command("POST", "/back", Some(json!({}))).unwrap();
    browser.wait("sections again", || {
        browser
            .attributes("#hits li.hit", "data-kind")
            .filter(|k| k.iter().any(|k| k == "section"))
    });
    assert!(!browser.url().contains("kind="));
    browser
        .command("POST", "/forward", Some(json!({})))
        .unwrap();
    browser.wait("practices again", || {
        browser
            .attributes("#hits li.hit", "data-kind")
            .filter(|k| !k.is_empty() && k.iter().all(|k| k == "practice"))
    });

    // Open the first passage by its link.
    let link = browser.element("#hits li.hit h2 a");
    let title = browser.text(&link).unwrap();
    let href = browser.attribute(&link, "href").unwrap();
    assert!(href.starts_with("/segments/"), "{href}");
    browser.click(&link);
    browser.wait("the passage", || {
        browser.url().contains("/segments/").then_some(())
    });
    let heading = browser.text(&browser.element("main.passage h1")).unwrap();
    assert_eq!(heading, title);
    let paragraphs = browser.texts(".text p, .text li").unwrap();
    assert!(
        paragraphs.iter().any(|p| p.contains("cadre")),
        "{paragraphs:?}"
    );
    browser.screenshot("3-passage");

    // A report's <script> is text in the results and in the passage.
    browser.go_to(&server.url("/?q=alert"));
    let snippet = browser.wait("the escaped hit", || {
        browser
            .texts("#hits .snippet")
            .and_then(|t| t.into_iter().next())
    });
    assert!(snippet.contains("<script>alert(1)</script>"), "{snippet}");
    assert!(snippet.contains("<b>bold</b>"), "{snippet}");
    assert_eq!(browser.texts("#hits mark").unwrap(), ["alert"]);
    assert!(browser
        .elements("#hits script, #hits b, #hits em")
        .is_empty());
    let title = browser.text(&browser.element("#hits li.hit h2 a")).unwrap();
    assert_eq!(title, "Raw notes <em>unfiltered</em> & more");
    browser.assert_no_alert();
    browser.screenshot("4-script-as-text");
    browser.click(&browser.element("#hits li.hit h2 a"));
    browser.wait("the escaped passage", || {
        browser.url().contains("/segments/").then_some(())
    });
    let text = browser.texts(".text p").unwrap().join("\n");
    assert!(text.contains("<script>alert(1)</script>"), "{text}");
    assert!(browser.elements("main script, main em, main b").is_empty());
    browser.assert_no_alert();

    // Nothing found, and a malformed query, say so.
    browser.go_to(&server.url("/?q=zzzzzz"));
    let status = browser.wait("no results", || {
        browser
            .texts("#status")
            .and_then(|t| t.into_iter().next())
            .filter(|t| t.starts_with("Aucun"))
    });
    assert!(status.contains("« zzzzzz »"), "{status}");
    browser.go_to(&server.url("/?q=%22cadre"));
    let status = browser.wait("an error", || {
        browser
            .texts("#status")
            .and_then(|t| t.into_iter().next())
            .filter(|t| t.starts_with("Requête"))
    });
    assert!(status.contains("quote"), "{status}");

    // On a phone: one column, still usable.
    browser
        .command(
            "POST",
            "/window/rect",
            Some(json!({"width": 390, "height": 844})),
        )
        .unwrap();
    browser.go_to(&server.url("/?q=migrants&kind=practice"));
    browser.wait("results on a phone", || {
        browser.elements("#hits li.hit").first().cloned()
    });
    let width: Value = browser
        .command(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return document.documentElement.scrollWidth", "args": []})),
        )
        .unwrap();
    assert!(
        width.as_u64().unwrap() <= 390,
        "the page scrolls sideways: {width}"
    );
    browser.screenshot("5-phone");
}
