//! A scripted stand-in for a CI platform's REST API, on a free loopback port: each
//! `path?query` answers what the test put there (in order, the last answer repeating), every
//! request is recorded with its `Authorization` / `PRIVATE-TOKEN` header, anything else
//! answers 404 as GitHub and GitLab do.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Response, Uri};

/// One answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// 200 with a JSON body.
    pub fn json(body: &serde_json::Value) -> Reply {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    /// `status` with a JSON body.
    pub fn status(status: u16, body: &serde_json::Value) -> Reply {
        Reply {
            status,
            ..Reply::json(body)
        }
    }

    /// The same answer with a header added.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A request the fake saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path_and_query: String,
    pub credentials: Option<String>,
}

#[derive(Default)]
struct State {
    routes: HashMap<String, VecDeque<Reply>>,
    seen: Vec<Seen>,
}

/// The fake API; stops serving when dropped.
pub struct FakeApi {
    base: String,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeApi {
    pub fn start() -> FakeApi {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let router = Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
                    let state = shared.clone();
                    async move { answer(&state, &uri, &headers) }
                });
                let _ = axum::serve(listener, router)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        FakeApi {
            base,
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `path?query` answers 200 with `body`, always.
    pub fn set(&self, path_and_query: &str, body: serde_json::Value) {
        self.script(path_and_query, vec![Reply::json(&body)]);
    }

    /// `path?query` answers `replies` in order, the last one repeating.
    pub fn script(&self, path_and_query: &str, replies: Vec<Reply>) {
        let mut state = self.state.lock().expect("lock");
        state
            .routes
            .insert(path_and_query.to_owned(), replies.into());
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().expect("lock").seen.clone()
    }

    /// How many times `path?query` was asked.
    pub fn count(&self, path_and_query: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.path_and_query == path_and_query)
            .count()
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(state: &Mutex<State>, uri: &Uri, headers: &HeaderMap) -> Response<Body> {
    let key = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let credentials = headers
        .get("authorization")
        .or_else(|| headers.get("private-token"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut state = state.lock().expect("lock");
    state.seen.push(Seen {
        path_and_query: key.clone(),
        credentials,
    });
    let reply = match state.routes.get_mut(&key) {
        Some(queue) if queue.len() > 1 => queue.pop_front(),
        Some(queue) => queue.front().cloned(),
        None => None,
    }
    .unwrap_or_else(|| Reply::status(404, &serde_json::json!({"message": "Not Found"})));
    let mut response = Response::builder()
        .status(reply.status)
        .header("content-type", "application/json; charset=utf-8");
    for (name, value) in &reply.headers {
        response = response.header(name.as_str(), value.as_str());
    }
    response
        .body(Body::from(reply.body))
        .unwrap_or_else(|_| Response::new(Body::from("bad test reply")))
}
