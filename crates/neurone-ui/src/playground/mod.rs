//! The playground's API: a page starts a training from a JSON configuration, follows its frames
//! over a WebSocket (or as server-sent events), plays, pauses, steps and inspects it, and saves its model.
//!
//! Trainings are bounded in number ([`MAX_TRAININGS`]); one that no page follows any more (the
//! tab closed, the connection dropped) is ended after [`ABANDONED_AFTER`].

pub mod catalog;
pub mod datasets;
pub mod frame;
pub mod least_squares;
pub mod session;
pub mod setup;
pub mod step;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tokio::sync::{oneshot, watch};
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::WatchStream;

use session::{Command, Speed};
use setup::PlaygroundRequest;

/// The most trainings running at once, over all pages.
pub const MAX_TRAININGS: usize = 8;
/// How long a training no page follows is kept (a page reloading reconnects well within it).
pub const ABANDONED_AFTER: Duration = Duration::from_secs(10);
/// How long a WebSocket whose peer answers nothing, not even a ping, is kept open.
pub const SILENT_PEER_AFTER: Duration = Duration::from_secs(15);
/// How often a WebSocket's peer is pinged; see [`SILENT_PEER_AFTER`].
const PING_EVERY: Duration = Duration::from_secs(5);

/// A running training, as the server holds it.
struct Training {
    commands: mpsc::Sender<Command>,
    frames: watch::Receiver<Arc<str>>,
    /// Held by every event stream of this training: a count of one means no page follows it.
    followers: Arc<()>,
    /// Since when no page has followed it.
    unfollowed_since: Option<Instant>,
}

/// The trainings, by id.
#[derive(Clone, Default)]
pub struct Trainings {
    running: Arc<Mutex<HashMap<u64, Training>>>,
    next_id: Arc<AtomicU64>,
}

/// An API error: a status and a one-line message, sent as `{"error": "…"}`.
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

fn not_found(id: u64) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("no training {id} (it ended, or the server restarted)"))
}

/// The playground's routes: its catalog (`/api/playground`) and its trainings (`/api/trainings`).
pub fn routes(trainings: Trainings) -> Router {
    let reaper = trainings.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            reaper.end_abandoned();
        }
    });
    Router::new()
        .route("/api/playground", get(catalog::catalog))
        .route("/api/trainings", post(start).get(list))
        .route("/api/trainings/{id}", axum::routing::delete(end))
        .route("/api/trainings/{id}/events", get(events))
        .route("/api/trainings/{id}/socket", get(socket))
        .route("/api/trainings/{id}/control", post(control))
        .route("/api/trainings/{id}/settings", post(change))
        .route("/api/trainings/{id}/model", get(save_model))
        .with_state(trainings)
}

impl Trainings {
    /// Ends the trainings no page has followed for [`ABANDONED_AFTER`].
    fn end_abandoned(&self) {
        let now = Instant::now();
        self.running.lock().expect("trainings lock").retain(|_, training| {
            if Arc::strong_count(&training.followers) > 1 {
                training.unfollowed_since = None;
                return true;
            }
            let since = *training.unfollowed_since.get_or_insert(now);
            now.duration_since(since) < ABANDONED_AFTER
        });
    }

    /// The frames of training `id`, and a token that counts the page as following it.
    fn follow(&self, id: u64) -> Result<(watch::Receiver<Arc<str>>, Arc<()>), ApiError> {
        let running = self.running.lock().expect("trainings lock");
        let training = running.get(&id).ok_or_else(|| not_found(id))?;
        Ok((training.frames.clone(), Arc::clone(&training.followers)))
    }

    /// Sends `command` to training `id`.
    fn send(&self, id: u64, command: Command) -> Result<(), ApiError> {
        let running = self.running.lock().expect("trainings lock");
        let training = running.get(&id).ok_or_else(|| not_found(id))?;
        training.commands.send(command).map_err(|_| not_found(id))
    }
}

/// What a training's frames hold until its thread publishes the first: sent to no page, which
/// would read it as a training without weights.
const NO_FRAME_YET: &str = "{}";

/// `POST /api/trainings` with a [`PlaygroundRequest`]: checks it (the library's errors come back
/// as 400 with their message) and starts the training, paused. Answers its id, its points
/// `(x₁, x₂, y, is_training)`, the bounds of the plane drawn, the grid of the heat maps and
/// every feature's map on it.
async fn start(
    State(trainings): State<Trainings>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let setup = prepared(&body).await?;
    let problem = setup.request.problem;
    let mut answer = serde_json::json!({
        "points": setup.points.iter().map(|&([x1, x2, y], train)| (x1, x2, y, train)).collect::<Vec<_>>(),
        "bounds": problem.bounds(),
        "grid": [frame::GRID, if problem.is_curve() { 1 } else { frame::GRID }],
        "feature_maps": catalog::feature_maps(problem),
    });
    let mut running = trainings.running.lock().expect("trainings lock");
    if running.len() >= MAX_TRAININGS {
        return Err(ApiError(
            StatusCode::TOO_MANY_REQUESTS,
            format!("{MAX_TRAININGS} trainings are running already: close a playground tab, or wait"),
        ));
    }
    let id = trainings.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let (commands, receiver) = mpsc::channel();
    let (sender, frames) = watch::channel(Arc::<str>::from(NO_FRAME_YET));
    std::thread::Builder::new()
        .name(format!("training-{id}"))
        .spawn(move || session::run(setup, receiver, sender))
        .map_err(|error| ApiError(StatusCode::SERVICE_UNAVAILABLE, error.to_string()))?;
    running.insert(id, Training { commands, frames, followers: Arc::new(()), unfollowed_since: None });
    answer["id"] = id.into();
    Ok(Json(answer))
}

/// The [`PlaygroundRequest`] in `body`, checked, its points drawn: the library's errors come
/// back as 400 with their message.
async fn prepared(body: &[u8]) -> Result<setup::Setup, ApiError> {
    let request =
        PlaygroundRequest::from_json(body).map_err(|error| ApiError(StatusCode::BAD_REQUEST, error.to_string()))?;
    tokio::task::spawn_blocking(move || request.prepare())
        .await
        .map_err(|error| ApiError(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?
        .map_err(|error| ApiError(StatusCode::BAD_REQUEST, error.to_string()))
}

/// `GET /api/trainings`: the ids of the trainings running, over all pages.
async fn list(State(trainings): State<Trainings>) -> Json<Vec<u64>> {
    let mut ids: Vec<u64> = trainings.running.lock().expect("trainings lock").keys().copied().collect();
    ids.sort_unstable();
    Json(ids)
}

/// `DELETE /api/trainings/{id}`: ends the training (its thread stops after the current stretch).
async fn end(State(trainings): State<Trainings>, Path(id): Path<u64>) -> Result<StatusCode, ApiError> {
    let removed = trainings.running.lock().expect("trainings lock").remove(&id);
    removed.map(|_| StatusCode::NO_CONTENT).ok_or_else(|| not_found(id))
}

/// `GET /api/trainings/{id}/events`: the training's frames as server-sent events, the latest
/// one whenever the page is ready for it (a slow page skips frames, it never queues them).
async fn events(State(trainings): State<Trainings>, Path(id): Path<u64>) -> Result<Response, ApiError> {
    let (frames, follower) = trainings.follow(id)?;
    let stream = WatchStream::new(frames).filter(|frame| &**frame != NO_FRAME_YET).map(move |frame| {
        let _following = &follower;
        Ok::<_, Infallible>(Event::default().event("frame").data(&*frame))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

/// `GET /api/trainings/{id}/socket`: the same frames over a WebSocket, the page's way. A
/// browser opens at most six HTTP/1.1 connections to a host, event streams included, so a
/// seventh tab would wait for ever; WebSockets are not counted among them.
///
/// The page goes with a close frame, or its connection closes; a peer gone without either (a
/// machine asleep, a network lost) is told by its silence: it is pinged every [`PING_EVERY`]
/// (browsers answer pings themselves), and a socket with nothing received, or a frame not
/// taken, for [`SILENT_PEER_AFTER`] is dropped, so that its training is no longer followed.
async fn socket(
    State(trainings): State<Trainings>,
    Path(id): Path<u64>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let (mut frames, follower) = trainings.follow(id)?;
    Ok(upgrade.on_upgrade(move |mut socket| async move {
        let _following = follower;
        let mut ping = tokio::time::interval(PING_EVERY);
        let mut heard = Instant::now();
        let mut frame_due = true;
        loop {
            if frame_due {
                let frame = frames.borrow_and_update().to_string();
                if frame != NO_FRAME_YET {
                    let sent = tokio::time::timeout(SILENT_PEER_AFTER, socket.send(Message::Text(frame.into()))).await;
                    if !matches!(sent, Ok(Ok(()))) {
                        return;
                    }
                }
            }
            frame_due = false;
            tokio::select! {
                changed = frames.changed() => if changed.is_ok() { frame_due = true } else { return },
                received = socket.recv() => match received {
                    // Pongs, and nothing else: the page sends no messages of its own.
                    Some(Ok(Message::Pong(_) | Message::Ping(_))) => heard = Instant::now(),
                    _ => return,
                },
                _ = ping.tick() => {
                    if heard.elapsed() >= SILENT_PEER_AFTER {
                        return;
                    }
                    let sent = tokio::time::timeout(SILENT_PEER_AFTER, socket.send(Message::Ping(Vec::new().into()))).await;
                    if !matches!(sent, Ok(Ok(()))) {
                        return;
                    }
                }
            }
        }
    }))
}

/// What `POST /api/trainings/{id}/control` asks.
#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
enum Control {
    Play,
    Pause,
    Step,
    /// Show the equations of this training sample.
    Inspect {
        sample: usize,
    },
    /// Train at most this many epochs, or steps, a second; both absent or `null`: as fast as
    /// the machine goes.
    Speed {
        #[serde(default)]
        epochs_per_second: Option<f64>,
        #[serde(default)]
        steps_per_second: Option<f64>,
    },
    /// Set weight `index` (row-major, outputs × inputs) of dense layer `layer` (from 0).
    SetWeight {
        layer: usize,
        index: usize,
        value: f32,
    },
}

async fn control(
    State(trainings): State<Trainings>,
    Path(id): Path<u64>,
    Json(control): Json<Control>,
) -> Result<StatusCode, ApiError> {
    let bad = |error: neurone::Error| ApiError(StatusCode::BAD_REQUEST, error.to_string());
    let command = match control {
        Control::Play => Command::Play,
        Control::Pause => Command::Pause,
        Control::Step => Command::Step,
        Control::Inspect { sample } => Command::Inspect(sample),
        Control::Speed { epochs_per_second, steps_per_second } => {
            let speed = match (epochs_per_second, steps_per_second) {
                (None, None) => Speed::Full,
                (Some(epochs), None) => {
                    neurone::check::check_positive("epochs_per_second", epochs).map_err(bad)?;
                    Speed::EpochsPerSecond(epochs)
                }
                (None, Some(steps)) => {
                    neurone::check::check_positive("steps_per_second", steps).map_err(bad)?;
                    Speed::StepsPerSecond(steps)
                }
                (Some(_), Some(_)) => {
                    let reason = "give epochs_per_second or steps_per_second, not both";
                    return Err(bad(neurone::Error::invalid("speed", reason)));
                }
            };
            Command::Speed(speed)
        }
        Control::SetWeight { layer, index, value } => {
            if !value.is_finite() {
                return Err(bad(neurone::Error::invalid("value", format!("must be a finite number, got {value}"))));
            }
            let (reply, answer) = oneshot::channel();
            trainings.send(id, Command::SetWeight { layer, index, value, reply })?;
            let answer = answer.await.map_err(|_| not_found(id))?;
            return answer.map(|()| StatusCode::NO_CONTENT).map_err(|error| ApiError(StatusCode::BAD_REQUEST, error));
        }
    };
    trainings.send(id, command)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/trainings/{id}/settings` with a [`PlaygroundRequest`]: the training goes on from
/// where it is with the new learning rate, penalties, dropout, optimizer or batch size
/// (answered 204); a request that differs in anything else (the data, the architecture, the
/// seed) is answered 409 with the setting that needs a new training, and a bad one 400.
async fn change(
    State(trainings): State<Trainings>,
    Path(id): Path<u64>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let setup = prepared(&body).await?;
    let (reply, answer) = oneshot::channel();
    trainings.send(id, Command::Change(Box::new(setup), reply))?;
    let answer = answer.await.map_err(|_| not_found(id))?;
    answer.map(|()| StatusCode::NO_CONTENT).map_err(|error| ApiError(StatusCode::CONFLICT, error))
}

/// `GET /api/trainings/{id}/model`: the network as a `.safetensors` model file, downloaded.
async fn save_model(State(trainings): State<Trainings>, Path(id): Path<u64>) -> Result<Response, ApiError> {
    let (reply, answer) = oneshot::channel();
    trainings.send(id, Command::Save(reply))?;
    let bytes = answer
        .await
        .map_err(|_| not_found(id))?
        .map_err(|error| ApiError(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?;
    let headers = [
        (header::CONTENT_TYPE, "application/octet-stream"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"playground.safetensors\""),
    ];
    Ok((headers, bytes).into_response())
}
