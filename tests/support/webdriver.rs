//! A headless Chromium driven through chromedriver's W3C WebDriver HTTP protocol (Debian's
//! `chromium` and `chromium-driver`; scripts/test.sh installs them). Only what the page tests
//! use: open a URL, run a script, find elements, take screenshots; the browser and the driver
//! end on drop.

use super::PATIENCE;
use base64::Engine;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One browser session.
pub struct Browser {
    driver: Child,
    base: String,
    http: reqwest::blocking::Client,
}

/// A program the tests need, by its Debian path, else from `PATH`.
fn program(debian: &str, name: &str) -> PathBuf {
    let path = Path::new(debian);
    if path.exists() {
        return path.to_path_buf();
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.exists())
    });
    found.unwrap_or_else(|| {
        panic!("{name} is missing: run `bash scripts/test.sh` (it installs Debian's chromium and chromium-driver), or `apt-get install -y chromium chromium-driver`")
    })
}

impl Browser {
    /// Starts chromedriver on a port it picks and a headless Chromium of 1280×`height`, with
    /// JavaScript on or off.
    pub fn start(javascript: bool, height: u32) -> Browser {
        let chromedriver = program("/usr/bin/chromedriver", "chromedriver");
        let chromium = program("/usr/bin/chromium", "chromium");
        let mut driver = Command::new(chromedriver)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let stdout = driver.stdout.take().expect("chromedriver stdout");
        let (port_tx, port_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("started successfully on port ").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = port_tx.send(port);
                }
            }
        });
        let port = port_rx.recv_timeout(PATIENCE).unwrap_or_else(|_| {
            let _ = driver.kill();
            panic!("chromedriver did not say which port it listens on")
        });
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("http client");
        let mut prefs = json!({});
        if !javascript {
            prefs["profile.managed_default_content_settings.javascript"] = json!(2);
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--hide-scrollbars",
                         "--force-device-scale-factor=1",
                         format!("--window-size=1280,{height}")],
                "prefs": prefs,
            }
        }}});
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            http,
        };
        let session = browser.call("POST", "/session", Some(capabilities));
        let id = session["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {session}"))
            .to_owned();
        browser.base = format!("{}/session/{id}", browser.base);
        browser
    }

    /// One WebDriver command; its `value`, or a panic with the driver's error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|error| panic!("{method} {path}: {error}"))
    }

    /// One WebDriver command; its `value`, or the driver's error.
    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self
                .http
                .post(&url)
                .header("Content-Type", "application/json")
                .body(body.unwrap_or_else(|| json!({})).to_string()),
        };
        let response = request.send().map_err(|e| e.to_string())?;
        let status = response.status();
        let value: Value =
            serde_json::from_str(&response.text().unwrap_or_default()).unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value["value"].clone())
        } else {
            Err(format!("{status} {value}"))
        }
    }

    /// Opens `url` and waits for it to load.
    pub fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    /// Runs `script` (a function body) in the page; its return value.
    pub fn run(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// The page's HTML as the browser holds it now.
    pub fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The text of every element matching `css`, in document order, as shown. Read again when
    /// the page swapped an element out while it was being read (a live update).
    pub fn texts(&self, css: &str) -> Vec<String> {
        let started = Instant::now();
        loop {
            match self.try_texts(css) {
                Ok(texts) => return texts,
                Err(e) if e.contains("stale element") && started.elapsed() < PATIENCE => {}
                Err(e) => panic!("reading `{css}`: {e}"),
            }
        }
    }

    fn try_texts(&self, css: &str) -> Result<Vec<String>, String> {
        let found = self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT].as_str())
            .map(|id| {
                self.try_call("GET", &format!("/element/{id}/text"), None)
                    .map(|t| t.as_str().unwrap_or_default().to_owned())
            })
            .collect()
    }

    /// Waits until the texts of `css` satisfy `check`; panics with the last texts after
    /// [`PATIENCE`].
    pub fn wait_for_texts(
        &self,
        what: &str,
        css: &str,
        check: impl Fn(&[String]) -> bool,
    ) -> Vec<String> {
        let started = Instant::now();
        loop {
            let texts = self.texts(css);
            if check(&texts) {
                return texts;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "timed out waiting for {what}; `{css}` shows {texts:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let data = self.call("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("the screenshot is base64")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.base).send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// RGB pixels of a PNG.
pub struct Picture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    rgb: Vec<[u8; 3]>,
}

impl Picture {
    /// Decodes `png` (RGB or RGBA, 8 bits).
    pub fn decode(png: &[u8]) -> Picture {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size().expect("PNG size")];
        let info = reader.next_frame(&mut buf).expect("a PNG frame");
        let channels = info.color_type.samples();
        assert!(
            channels >= 3,
            "colour PNG expected, got {:?}",
            info.color_type
        );
        let rgb = buf[..info.buffer_size()]
            .chunks_exact(channels)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        Picture {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    /// How many pixels are exactly `colour`.
    pub fn count(&self, colour: [u8; 3]) -> usize {
        self.rgb.iter().filter(|p| **p == colour).count()
    }
}
