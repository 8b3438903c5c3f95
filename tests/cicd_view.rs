//! The `cicd_view` page in a real browser (headless Debian Chromium through chromedriver),
//! against the real binary on the embedded default config (its ports made free):
//! - after the README quick start's sample run, the page shows the run's waterfall, coloured
//!   by owner, and its verdict line; the run's own page too; the changes page shows the pull
//!   request's path with its run, linked to the run's page; the repository filter works;
//! - payload text with markup (a job named `<script>…`) is shown as text, in the page as served
//!   and in the live update alike, and never runs;
//! - a job posted as `in_progress` appears on the open page without a reload (marked hung: it
//!   started long ago) and leaves it when its `completed` delivery comes; with JavaScript off,
//!   the page as served shows it;
//! - with `auth`, the page needs the token; `validate` names a `cicd_view` exporter whose
//!   extension is not listed.
//!
//! A screenshot of each view is written under target/tmp/cicd_view/ (paths printed) and its
//! pixels counted for the owner colours of assets/view.css.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::webdriver::{Browser, Picture};
use support::{Daemon, TempDir, wait_for};

/// `--platform` in assets/view.css.
const PLATFORM: [u8; 3] = [0x1f, 0x77, 0xb4];
/// `--application` in assets/view.css.
const APPLICATION: [u8; 3] = [0xc2, 0x36, 0x9b];
/// The background of a hung job's row (`.jobs tr.hung td` in assets/view.css).
const HUNG_ROW: [u8; 3] = [0xfd, 0xec, 0xea];
/// The legend's swatch of one colour is about 13×13 pixels; the sample run's bars are many
/// times that.
const MANY_PIXELS: usize = 2000;

/// The trace id of the sample run (examples/github), as the page links it.
const SAMPLE_TRACE: &str = "e5f3955d80483af502521039f08fe417";
const SAMPLE_VERDICT: &str = "FAILED — your change: job \"test\" failed in \"Run pytest\"";

/// configs/default.yaml with every fixed port replaced by one the OS picks.
fn default_config_on_free_ports() -> String {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/default.yaml"))
            .expect("configs/default.yaml");
    let mut out = text.clone();
    for port in ["4317", "4318", "8080", "13133", "8888", "55680"] {
        let fixed = format!("127.0.0.1:{port}");
        assert!(
            text.contains(&fixed),
            "default.yaml no longer listens on {fixed}"
        );
        out = out.replace(&fixed, "127.0.0.1:0");
    }
    out
}

fn example(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/github")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("example payload"))
        .expect("example JSON")
}

/// Posts a GitHub delivery as the README's quick start does (no secret on loopback).
fn deliver(daemon: &Daemon, event: &str, delivery: &str, body: &Value) {
    let url = format!(
        "http://{}/events/github",
        daemon.address("github", "webhook")
    );
    let response = reqwest::blocking::Client::new()
        .post(url)
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", delivery)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .expect("post webhook");
    assert_eq!(response.status(), 202, "{event} {delivery}");
}

fn page_url(daemon: &Daemon, path: &str) -> String {
    format!("http://{}{path}", daemon.address("cicd_view", "http"))
}

fn get(url: &str) -> (u16, String) {
    let response = reqwest::blocking::get(url).expect("GET the page");
    let status = response.status().as_u16();
    (status, response.text().unwrap_or_default())
}

/// Writes a screenshot artefact and prints where.
fn keep_screenshot(name: &str, png: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cicd_view");
    std::fs::create_dir_all(&dir).expect("artefact dir");
    let path = dir.join(name);
    std::fs::write(&path, png).expect("write screenshot");
    println!("screenshot: {}", path.display());
    path
}

/// Both owner colours cover many pixels of the screenshot (the bars, not only the legend).
fn assert_owner_colours(name: &str, png: &[u8]) {
    let picture = Picture::decode(png);
    let (platform, application) = (picture.count(PLATFORM), picture.count(APPLICATION));
    println!(
        "{name}: {}x{} px, platform {platform} px, application {application} px",
        picture.width, picture.height
    );
    assert!(
        platform > MANY_PIXELS && application > MANY_PIXELS,
        "{name}: platform {platform} px, application {application} px of the owner colours"
    );
}

/// The text of every element matching `css`, shown or cut off.
fn text_contents(browser: &Browser, css: &str) -> Vec<String> {
    let script = format!(
        "return [...document.querySelectorAll({})].map(e => e.textContent);",
        Value::from(css)
    );
    browser
        .run(&script)
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn start_default(dir: &TempDir) -> Daemon {
    Daemon::start(dir, "default", &default_config_on_free_ports())
}

#[test]
fn after_the_quick_start_run_the_page_shows_its_waterfall_by_owner_and_its_verdict() {
    let dir = TempDir::new("view-quick-start");
    let daemon = start_default(&dir);
    deliver(
        &daemon,
        "workflow_job",
        "demo-job",
        &example("workflow_job.completed.json"),
    );
    deliver(
        &daemon,
        "workflow_run",
        "demo-run",
        &example("workflow_run.completed.json"),
    );
    let overview = page_url(&daemon, "/");
    wait_for("the sample run's verdict on the page", || {
        get(&overview)
            .1
            .contains("<strong>FAILED</strong>")
            .then_some(())
    });

    let browser = Browser::start(true, 900);
    browser.open(&overview);
    let verdicts = browser.texts("#runs-list .verdict");
    assert_eq!(verdicts, [SAMPLE_VERDICT]);
    let owners = browser.texts("#runs-list .waterfall td.owner");
    let names = browser.texts("#runs-list .waterfall td.name");
    assert_eq!(
        names,
        [
            "RUN CI✗",
            "test✗",
            "queue",
            "Set up job",
            "Run actions/checkout@v4",
            "Run actions/setup-python@v5",
            "Run pytest✗",
            "Post Run actions/checkout@v4",
            "Complete job"
        ]
    );
    assert_eq!(
        owners,
        [
            "application",
            "application",
            "platform",
            "platform",
            "platform",
            "platform",
            "application",
            "platform",
            "platform"
        ]
    );
    // The bars are drawn in the owner's colour, as the browser computed the style.
    let colours = browser.run(
        "return [...document.querySelectorAll('#runs-list .bar')].map(b => getComputedStyle(b).backgroundColor);",
    );
    let colours: Vec<&str> = colours
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(colours.len(), 9, "{colours:?}");
    assert_eq!(
        colours[0], "rgb(194, 54, 155)",
        "RUN CI is the application's"
    );
    assert_eq!(
        colours[2], "rgb(31, 119, 180)",
        "the queue is the platform's"
    );
    let png = browser.screenshot();
    keep_screenshot("overview.png", &png);
    assert_owner_colours("overview", &png);

    // The run's own page.
    browser.open(&page_url(&daemon, &format!("/run/{SAMPLE_TRACE}")));
    browser.wait_for_texts("the run's page", ".verdict", |t| t == [SAMPLE_VERDICT]);
    assert_eq!(browser.texts(".run h2"), ["RUN CI"]);
    let png = browser.screenshot();
    keep_screenshot("run.png", &png);
    assert_owner_colours("run", &png);
    // The change the run was for (pull request #311): its path, its run linking to the run.
    browser.open(&page_url(&daemon, "/changes"));
    browser.wait_for_texts("the changes page", "#changes-list .run h2", |t| {
        t == ["CHANGE acme/shop#311"]
    });
    assert_eq!(
        browser.texts("#changes-list .verdict"),
        ["OPEN (no merge or close seen yet) — last run RUN CI: failure"]
    );
    assert_eq!(browser.texts("#changes-list td.name"), ["RUN CI failure✗"]);
    let png = browser.screenshot();
    keep_screenshot("changes.png", &png);
    let application = Picture::decode(&png).count(APPLICATION);
    assert!(
        application > MANY_PIXELS,
        "changes: the run's bar in the application's colour: {application} px"
    );
    browser.run("document.querySelector('#changes-list td.name a').click(); return null;");
    browser.wait_for_texts("the run's page from the change", ".verdict", |t| {
        t == [SAMPLE_VERDICT]
    });
    assert_eq!(
        browser.run("return location.pathname;"),
        format!("/run/{SAMPLE_TRACE}")
    );
    let (status, _) = get(&page_url(&daemon, "/run/00000000000000000000000000000000"));
    assert_eq!(status, 404, "a run that is not kept");

    // The repository filter, as a person uses it: pick it in the form.
    browser.open(&page_url(&daemon, "/?repo=acme%2Fother"));
    assert_eq!(
        browser.texts("#runs-list .empty"),
        ["No recent runs of this repository."]
    );
    browser.run(
        "const s = document.querySelector('form.filter select'); s.value = 'acme/shop'; s.dispatchEvent(new Event('change')); return null;",
    );
    browser.wait_for_texts("the filtered page", "#runs-list .verdict", |t| {
        t == [SAMPLE_VERDICT]
    });
    let url = browser.run("return location.search;");
    assert_eq!(url, "?repo=acme%2Fshop");
}

#[test]
fn a_job_named_with_markup_is_shown_as_text_and_never_runs() {
    let dir = TempDir::new("view-escaping");
    let daemon = start_default(&dir);
    let browser = Browser::start(true, 900);
    // The page is open before the job arrives, so the job comes in through the live update.
    browser.open(&page_url(&daemon, "/"));
    assert_eq!(
        browser.texts("#runs-list .empty"),
        ["No runs yet. Runs appear here as the pipeline exports them."]
    );
    let name = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
    let mut job = example("workflow_job.completed.json");
    job["workflow_job"]["name"] = Value::from(name);
    job["workflow_job"]["steps"][3]["name"] = Value::from("<b>bold</b> & 'quoted'");
    deliver(&daemon, "workflow_job", "markup-job", &job);

    let names = browser.wait_for_texts("the job in the live update", "#runs-list td.name", |t| {
        t.iter().any(|n| n.starts_with("<script>"))
    });
    // The long name is cut on screen (ellipsis): its whole text is in the cell.
    assert!(names.iter().any(|n| n.starts_with(name)), "{names:?}");
    assert_eq!(
        text_contents(&browser, "#runs-list td.name")[0],
        format!("{name}✗")
    );
    assert!(
        names.contains(&"<b>bold</b> & 'quoted'✗".to_owned()),
        "{names:?}"
    );
    assert_eq!(browser.run("return window.pwned === undefined;"), true);
    assert_eq!(browser.run("return document.querySelectorAll('#runs-list script, #runs-list img, #runs-list b').length;"), 0);

    // The same on the page as served.
    browser.open(&page_url(&daemon, "/"));
    assert_eq!(
        text_contents(&browser, "#runs-list td.name")[0],
        format!("{name}✗")
    );
    assert_eq!(browser.run("return window.pwned === undefined;"), true);
    let (_, html) = get(&page_url(&daemon, "/"));
    assert!(
        html.contains("&lt;script&gt;window.pwned = 1&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>window"), "{html}");
}

/// The sample job (examples/github) as GitHub sends it while it runs: started, no conclusion,
/// its first steps done, the rest pending.
fn job_in_progress(id: u64, name: &str) -> Value {
    let mut job = example("workflow_job.completed.json");
    let j = &mut job["workflow_job"];
    j["id"] = Value::from(id);
    j["run_id"] = Value::from(LIVE_RUN);
    j["name"] = Value::from(name);
    j["status"] = Value::from("in_progress");
    j["conclusion"] = Value::Null;
    j["completed_at"] = Value::Null;
    if let Some(steps) = j["steps"].as_array_mut() {
        steps.truncate(3);
        steps[2]["status"] = Value::from("in_progress");
        steps[2]["conclusion"] = Value::Null;
        steps[2]["completed_at"] = Value::Null;
    }
    job["action"] = Value::from("in_progress");
    job
}

fn job_completed(id: u64, name: &str) -> Value {
    let mut job = example("workflow_job.completed.json");
    job["workflow_job"]["id"] = Value::from(id);
    job["workflow_job"]["run_id"] = Value::from(LIVE_RUN);
    job["workflow_job"]["name"] = Value::from(name);
    job
}

/// The run of the live test's job: another run than the sample's, so the sample run's
/// waterfall and verdict stay as the quick start shows them.
const LIVE_RUN: u64 = 11710384299;

#[test]
fn a_job_in_progress_appears_live_marked_hung_and_leaves_when_it_completes() {
    let dir = TempDir::new("view-live");
    let daemon = start_default(&dir);
    deliver(
        &daemon,
        "workflow_job",
        "demo-job",
        &example("workflow_job.completed.json"),
    );
    deliver(
        &daemon,
        "workflow_run",
        "demo-run",
        &example("workflow_run.completed.json"),
    );
    let overview = page_url(&daemon, "/");
    wait_for("the sample run's verdict on the page", || {
        get(&overview)
            .1
            .contains("<strong>FAILED</strong>")
            .then_some(())
    });
    let browser = Browser::start(true, 1000);
    browser.open(&overview);
    assert_eq!(
        browser.texts("#live-list .empty"),
        ["Nothing queued or running."]
    );
    assert_eq!(browser.texts("noscript p").concat(), "", "JavaScript is on");
    // What the page showed first stays in place: only the sections are swapped in.
    browser.run("window.sameDocument = true; return null;");

    deliver(
        &daemon,
        "workflow_job",
        "live-1",
        &job_in_progress(7001, "integration"),
    );
    let rows = browser.wait_for_texts(
        "the running job on the open page",
        "#live-list tr.job td.what",
        |t| t == ["integration"],
    );
    assert_eq!(rows, ["integration"]);
    assert_eq!(
        browser.run("return window.sameDocument === true;"),
        true,
        "no reload"
    );
    assert_eq!(browser.texts("#live-list tr.job td.state"), ["running"]);
    assert_eq!(browser.texts("#live-list tr.job td.repo"), ["acme/shop"]);
    assert_eq!(
        browser.texts("#live-list tr.job td.where"),
        ["GitHub Actions 71"]
    );
    // It started on 2026-11-20: far past the default `running_after: 2h`.
    assert_eq!(
        browser.texts("#live-list tr.job.hung td.hung-mark"),
        ["hung: running over 2h00m"]
    );
    let png = browser.screenshot();
    keep_screenshot("live.png", &png);
    let picture = Picture::decode(&png);
    let hung_rows = picture.count(HUNG_ROW);
    println!("live: hung row background {hung_rows} px");
    assert!(
        hung_rows > MANY_PIXELS,
        "the hung row is marked: {hung_rows} px"
    );

    // Without JavaScript, the page as served shows it too.
    let plain = Browser::start(false, 900);
    plain.open(&page_url(&daemon, "/"));
    assert_eq!(
        plain.texts("noscript p"),
        ["Without JavaScript this page reloads every 10 s."],
        "JavaScript is off in this browser"
    );
    assert_eq!(plain.texts("#live-list tr.job td.what"), ["integration"]);
    assert_eq!(
        plain.texts("#live-list tr.job td.hung-mark"),
        ["hung: running over 2h00m"]
    );
    // The running job's run has no run span yet: the page says it is still going.
    let verdicts = plain.texts(".verdict strong");
    assert!(
        verdicts.iter().any(|v| v == "IN PROGRESS"),
        "the partial run reads as in progress: {verdicts:?}"
    );
    keep_screenshot("live-without-javascript.png", &plain.screenshot());
    drop(plain);

    deliver(
        &daemon,
        "workflow_job",
        "live-2",
        &job_completed(7001, "integration"),
    );
    browser.wait_for_texts("the job to leave the live list", "#live-list .empty", |t| {
        t == ["Nothing queued or running."]
    });
    assert_eq!(
        browser.run("return window.sameDocument === true;"),
        true,
        "no reload"
    );
    // And the completed job is now among the runs.
    browser.wait_for_texts("the job among the runs", "#runs-list td.name", |t| {
        t.iter().any(|n| n.starts_with("integration"))
    });
}

/// OTLP in, the page out, with `extra` under the `cicd_view` extension and `extensions`
/// listing `listed`.
fn view_config(extra: &str, auth_extension: &str, listed: &str) -> String {
    format!(
        "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:0\nexporters:\n  cicd_view:\nextensions:\n{auth_extension}  cicd_view:\n    endpoint: 127.0.0.1:0\n{extra}service:\n  extensions: [{listed}]\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [cicd_view]\n"
    )
}

#[test]
fn with_auth_the_page_and_its_updates_need_the_token() {
    let dir = TempDir::new("view-auth");
    let config = view_config(
        "    auth: {authenticator: bearertokenauth/page}\n",
        "  bearertokenauth/page:\n    token: \"s3cret-page-token\"\n",
        "bearertokenauth/page, cicd_view",
    );
    let daemon = Daemon::start(&dir, "auth", &config);
    let client = reqwest::blocking::Client::new();
    for path in ["/", "/updates", "/assets/view.css"] {
        let url = page_url(&daemon, path);
        let refused = client.get(&url).send().expect("GET");
        assert_eq!(refused.status(), 401, "{path} without the token");
        let served = client
            .get(&url)
            .bearer_auth("s3cret-page-token")
            .send()
            .expect("GET");
        assert_eq!(served.status(), 200, "{path} with the token");
    }
    assert!(!daemon.log_text().contains("s3cret-page-token"));
}

#[test]
fn validate_names_a_cicd_view_exporter_whose_extension_is_not_listed() {
    let dir = TempDir::new("view-validate");
    let path = dir.join("unlisted.yaml");
    std::fs::write(&path, view_config("", "", "")).expect("write config");
    let out = std::process::Command::new(support::binary())
        .args(["validate", "--config"])
        .arg(&path)
        .output()
        .expect("run validate");
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("exporter `cicd_view`: extension: extension `cicd_view` is not listed in service.extensions"),
        "{text}"
    );
}
