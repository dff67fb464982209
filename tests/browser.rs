//! A reader on a phone: Debian's headless Chromium, driven over the Chrome DevTools protocol (one
//! websocket, flat sessions), loads the digest page from the real `trendd serve` at 375 px, checks it
//! fits the screen, taps 👍, taps the confirmation button, and sees "Recorded"; the store then holds the
//! rating. Skipped, visibly, when chromium is not installed (and failed under CI, where .ci/run installs
//! it). A screenshot of the page is left in target/web-digest-375.png for a person to look at.

mod web_support;

use serde_json::{json, Value};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};
use web_support::{skip, Setup};

const WIDTH: u64 = 375;

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        let ok = Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| name.to_string())
    })
}

/// The browser process; killed with the test.
struct Browser(Child);

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A minimal DevTools client: commands by id, events kept until asked for.
struct Cdp {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    events: Vec<Value>,
    session: Option<String>,
}

impl Cdp {
    fn connect(url: &str) -> Cdp {
        let (ws, _) = tungstenite::connect(url).expect("DevTools websocket");
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        }
        Cdp {
            ws,
            next: 0,
            events: Vec::new(),
            session: None,
        }
    }

    /// The next message, or None after a second of silence.
    fn read(&mut self) -> Option<Value> {
        match self.ws.read() {
            Ok(Message::Text(t)) => Some(serde_json::from_str(&t).unwrap()),
            Ok(_) => None,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(e) => panic!("DevTools connection failed: {e}"),
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let Some(m) = self.read() else { continue };
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{method} failed: {m}");
                return m["result"].clone();
            }
            self.events.push(m);
        }
        panic!("{method}: no answer within 60 s");
    }

    fn wait_event(&mut self, method: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
                self.events.drain(..=i);
                return;
            }
            assert!(Instant::now() < deadline, "no {method} within 60 s");
            if let Some(m) = self.read() {
                self.events.push(m);
            }
        }
    }

    fn eval(&mut self, js: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": js, "returnByValue": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{js}: {r}");
        r["result"]["value"].clone()
    }

    /// A real tap: the element scrolled into view, then a mouse press and release at its centre.
    fn tap(&mut self, selector: &str) {
        let js = format!(
            "(() => {{ const e = document.querySelector({sel}); if (!e) return null; \
             e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
             return [r.x + r.width / 2, r.y + r.height / 2]; }})()",
            sel = json!(selector)
        );
        let at = self.eval(&js);
        assert!(at.is_array(), "nothing matches {selector}");
        self.events.clear();
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": at[0], "y": at[1], "button": "left", "clickCount": 1}),
            );
        }
        self.wait_event("Page.loadEventFired");
    }

    fn text(&mut self) -> String {
        self.eval("document.body.innerText")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn devtools_url(profile: &Path) -> String {
    let file = profile.join("DevToolsActivePort");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(s) = std::fs::read_to_string(&file) {
            let mut lines = s.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                return format!("ws://127.0.0.1:{port}{path}");
            }
        }
        assert!(
            Instant::now() < deadline,
            "chromium wrote no DevToolsActivePort"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_phone_reader_taps_thumbs_up_and_sees_it_recorded() {
    let Some(chromium) = chromium() else {
        skip("chromium is not installed; the browser test did not run");
        return;
    };
    let s = Setup::new("max_requests_per_second = 1000");
    s.digest();
    let srv = s.serve();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let profile = s.dir.path().join("chromium-profile");
    let _browser = Browser(
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                &format!("--user-data-dir={}", profile.display()),
                "about:blank",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut cdp = Cdp::connect(&devtools_url(&profile));
    let target = cdp.call("Target.createTarget", json!({"url": "about:blank"}));
    let attached = cdp.call(
        "Target.attachToTarget",
        json!({"targetId": target["targetId"], "flatten": true}),
    );
    cdp.session = Some(attached["sessionId"].as_str().unwrap().to_string());
    cdp.call("Page.enable", json!({}));
    cdp.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": WIDTH, "height": 812, "deviceScaleFactor": 2, "mobile": true}),
    );
    cdp.call(
        "Page.navigate",
        json!({"url": srv.url(&format!("/digests/{today}"))}),
    );
    cdp.wait_event("Page.loadEventFired");

    // The page fits a 375-px screen: nothing scrolls sideways, and every entry has its 👍.
    let fit = cdp.eval(
        "({page: document.documentElement.scrollWidth, screen: window.innerWidth, \
          ups: document.querySelectorAll('a[aria-label=\"More like this\"]').length})",
    );
    assert_eq!(fit["screen"], WIDTH, "{fit}");
    assert!(
        fit["page"].as_u64().unwrap() <= WIDTH,
        "the page is wider than the phone: {fit}"
    );
    assert!(fit["ups"].as_u64().unwrap() >= 5, "{fit}");
    let shot = cdp.call("Page.captureScreenshot", json!({"format": "png"}));
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let _ = std::fs::write(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/web-digest-375.png"),
        &png,
    );

    cdp.tap("a[aria-label=\"More like this\"]");
    let ask = cdp.text();
    assert!(
        ask.contains("Nothing is recorded until you press the button"),
        "{ask}"
    );
    cdp.tap("form[method=post] button");
    let done = cdp.text();
    assert!(done.contains("Recorded"), "{done}");
    assert!(done.contains("Your recent ratings"), "{done}");

    drop(cdp);
    assert!(srv.stop().success());
    let store = trendd::store::Store::open(&s.state).unwrap();
    let ratings = trendd::learn::feedback::list(&store, trendd::learn::DEFAULT_READER).unwrap();
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    assert_eq!(ratings[0].vote, trendd::learn::Vote::Up);
}
