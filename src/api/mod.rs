//! `tamis api`: the HTTP intake for case systems. `POST /v1/documents` stores the file in the blob
//! store and publishes it exactly as `tamis submit` does (`workers::submit_document`);
//! `GET /v1/documents/{id}` answers from the per-document records of the blob store
//! (shared/src/records.rs), so any replica answers for any document, across restarts.
//! Clients authenticate with a bearer token (clients.rs) and see only their own documents.

pub mod clients;
pub mod problem;

use crate::embedded::Case;
use crate::workers::{submit_document, Submission};
use anyhow::Context;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use clients::Clients;
use problem::{Problem, ProblemBody};
use serde::Serialize;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;
use tamis_shared::blob::BlobStore;
use tamis_shared::broker::Broker;
use tamis_shared::config::Config;
use tamis_shared::document::TAMIS_NAMESPACE;
use tamis_shared::records::{self, Records};
use tamis_shared::{DocumentId, MediaType, PersonName};
use tokio_util::sync::CancellationToken;
use utoipa::{OpenApi, ToSchema};

/// The media types a file may be declared as (besides `application/octet-stream`, for which the
/// bytes decide): the formats the OCR stage reads.
pub const ACCEPTED_TYPES: [&str; 7] =
    ["application/pdf", "image/jpeg", "image/png", "image/tiff", "image/webp", "image/bmp", "image/gif"];

/// Room for a multipart body's boundaries and text parts beyond the file itself.
const MULTIPART_OVERHEAD: u64 = 64 * 1024;

/// Longest case id, file name and `Idempotency-Key` accepted (characters).
const MAX_CASE_ID: usize = 200;
const MAX_FILE_NAME: usize = 255;
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// What every handler shares.
#[derive(Clone)]
struct Api {
    blobs: BlobStore,
    records: Records,
    clients: Arc<Clients>,
    /// The publishing connection, opened again on the next submission once it is lost.
    broker: Arc<tokio::sync::Mutex<Option<Broker>>>,
    config: Arc<Config>,
}

impl Api {
    /// A connected broker: the current one, or a new one if it was lost (one reconnection at a
    /// time; callers wait for it rather than each opening their own).
    async fn publisher(&self) -> Result<Broker, Problem> {
        let mut current = self.broker.lock().await;
        if let Some(b) = current.as_ref().filter(|b| b.is_connected()) {
            return Ok(b.clone());
        }
        let c = &self.config;
        let connected = async {
            let b = Broker::connect(&c.amqp, "tamis-api", Duration::from_secs(5)).await?.with_retry(&c.retry);
            b.declare_topology(&[]).await?;
            anyhow::Ok(b)
        };
        match connected.await {
            Ok(b) => {
                *current = Some(b.clone());
                Ok(b)
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "broker unreachable: submissions answer 503");
                Err(Problem::unavailable())
            }
        }
    }
}

/// The client a request's bearer token belongs to.
struct Caller(String);

impl FromRequestParts<Api> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Caller, Problem> {
        let value = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let token = value
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(Problem::unauthorized)?;
        api.clients.authenticate(token).map(|c| Caller(c.name.clone())).ok_or_else(Problem::unauthorized)
    }
}

/// The answer to a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    /// The document's id: the same file for the same case from the same client always gets the
    /// same one. Follow it at `Location` (`/v1/documents/{document_id}`).
    pub document_id: uuid::Uuid,
}

/// Where a document is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    /// Stored and queued; no stage took it yet.
    Received,
    /// In the pipeline (OCR, classification, extraction, routing).
    Processing,
    /// Sent to a person, with reasons: not final, `reviewed` follows.
    Review,
    /// Accepted without a person: final.
    Accepted,
    /// Unusable input (empty, encrypted, too large...): final.
    Rejected,
    /// A person decided: final.
    Reviewed,
}

impl From<records::State> for DocumentState {
    fn from(s: records::State) -> Self {
        match s {
            records::State::Received => DocumentState::Received,
            records::State::Processing => DocumentState::Processing,
            records::State::Review => DocumentState::Review,
            records::State::Accepted => DocumentState::Accepted,
            records::State::Rejected => DocumentState::Rejected,
            records::State::Reviewed => DocumentState::Reviewed,
        }
    }
}

/// What became of a submitted document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentStatus {
    pub document_id: uuid::Uuid,
    pub state: DocumentState,
    /// True for `accepted`, `rejected` and `reviewed`: the state will not change again.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// The case the document was submitted for.
    pub case_id: Option<String>,
    /// When it was received (RFC 3339).
    #[schema(format = DateTime)]
    pub received_at: String,
    /// The pipeline's outcome once known (`accepted`, `review`, `rejected`, `reviewed`): the
    /// `data` of the outcome event (`schemas/document.accepted.v1.json`): `decision`, `reasons`
    /// (`code`, `message`) and per document found in the file its `type`, `confidence` and
    /// `fields` (each with `value`, `confidence`, `page`, `bbox` as `{x, y, w, h}`, `source`, `valid`).
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<serde_json::Value>,
    /// When the outcome was decided (RFC 3339).
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    /// The last person's decision once `reviewed`: the `data` of the `document.reviewed` event
    /// (`schemas/document.reviewed.v1.json`): `action`, `reviewer`, `changes`...
    #[schema(value_type = Option<Object>)]
    pub review: Option<serde_json::Value>,
    /// When the person decided (RFC 3339).
    #[schema(format = DateTime)]
    pub reviewed_at: Option<String>,
}

/// The multipart form of a submission (the other way to send the file). The query parameters
/// may be given as form fields instead (`case_id`, `case_person`, `file_name`), not both.
#[derive(ToSchema)]
#[allow(dead_code)]
struct SubmitForm {
    /// The file; its part's Content-Type is checked like a body's.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The file and its parameters, from a raw body or a multipart form.
struct Upload {
    bytes: Bytes,
    /// Declared media type (lower case, without parameters).
    declared: String,
    params: Vec<(String, String)>,
    /// From the multipart part's filename.
    file_name: Option<String>,
}

fn declared_type(value: Option<&HeaderValue>) -> String {
    value
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// A declared type is accepted when it is one Tamis reads; `application/octet-stream` when the
/// bytes are.
fn acceptable(declared: &str, bytes: &[u8]) -> bool {
    if ACCEPTED_TYPES.contains(&declared) {
        return true;
    }
    declared == "application/octet-stream"
        && !matches!(MediaType::sniff(bytes), MediaType::Unknown | MediaType::Unsupported)
}

/// Reads the request body, at most `limit` bytes, with 413 past it.
async fn read_body(request: Request, limit: u64, file_limit: u64) -> Result<(Parts, Bytes), Problem> {
    let (parts, body) = request.into_parts();
    let announced = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(Problem::too_large(file_limit));
    }
    match axum::body::to_bytes(body, usize::try_from(limit).unwrap_or(usize::MAX)).await {
        Ok(b) => Ok((parts, b)),
        Err(e) => {
            let over = std::error::Error::source(&e)
                .is_some_and(|s| s.downcast_ref::<http_body_util::LengthLimitError>().is_some())
                || e.into_inner().downcast_ref::<http_body_util::LengthLimitError>().is_some();
            Err(if over { Problem::too_large(file_limit) } else { Problem::bad_request("the body could not be read") })
        }
    }
}

async fn read_upload(request: Request, file_limit: u64) -> Result<Upload, Problem> {
    let mut params: Vec<(String, String)> = match request.uri().query() {
        Some(q) => serde_urlencoded::from_str(q).map_err(|_| Problem::bad_request("the query string is not valid"))?,
        None => Vec::new(),
    };
    let declared = declared_type(request.headers().get(header::CONTENT_TYPE));
    if declared != "multipart/form-data" {
        if !ACCEPTED_TYPES.contains(&declared.as_str()) && declared != "application/octet-stream" {
            return Err(Problem::unsupported_media_type());
        }
        let (_, bytes) = read_body(request, file_limit, file_limit).await?;
        return Ok(Upload { bytes, declared, params, file_name: None });
    }
    let (parts, body) = read_body(request, file_limit + MULTIPART_OVERHEAD, file_limit).await?;
    let request = Request::from_parts(parts, axum::body::Body::from(body));
    let bad_form = || Problem::bad_request("the multipart/form-data body is not valid");
    let mut form = Multipart::from_request(request, &()).await.map_err(|_| bad_form())?;
    let mut file: Option<(Bytes, String, Option<String>)> = None;
    while let Some(field) = form.next_field().await.map_err(|_| bad_form())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            if file.is_some() {
                return Err(Problem::bad_request("send one `file` part per request"));
            }
            let declared = match field.content_type() {
                Some(t) => declared_type(HeaderValue::from_str(t).ok().as_ref()),
                None => "application/octet-stream".into(),
            };
            let file_name = field.file_name().map(str::to_string);
            let bytes = field.bytes().await.map_err(|_| bad_form())?;
            file = Some((bytes, declared, file_name));
        } else {
            let value = field.text().await.map_err(|_| bad_form())?;
            params.push((name, value));
        }
    }
    let (bytes, declared, file_name) = file.ok_or_else(|| Problem::bad_request("the form has no `file` part"))?;
    if bytes.len() as u64 > file_limit {
        return Err(Problem::too_large(file_limit));
    }
    Ok(Upload { bytes, declared, params, file_name })
}

/// The submission's case and file name, checked; errors never repeat the values.
fn case_of(params: &[(String, String)], part_file_name: Option<String>) -> Result<(Case, String), Problem> {
    let mut case_id = None;
    let mut persons = Vec::new();
    let mut file_name = part_file_name;
    for (k, v) in params {
        match k.as_str() {
            "case_id" if case_id.is_some() => return Err(Problem::bad_request("give case_id once")),
            "case_id" => case_id = Some(v.trim().to_string()),
            "case_person" => persons.push(PersonName::new(v).map_err(|e| Problem::bad_request(e.to_string()))?),
            "file_name" => file_name = Some(v.clone()),
            _ => {
                return Err(Problem::bad_request(
                    "unknown parameter: the parameters are case_id, case_person (repeated) and file_name",
                ))
            }
        }
    }
    let case_id = case_id.filter(|c| !c.is_empty()).ok_or_else(|| Problem::bad_request("case_id is required"))?;
    if case_id.chars().count() > MAX_CASE_ID || case_id.chars().any(char::is_control) {
        return Err(Problem::bad_request(format!(
            "case_id must be at most {MAX_CASE_ID} characters without control characters"
        )));
    }
    let file_name =
        file_name.map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).unwrap_or_else(|| "document".into());
    if file_name.chars().count() > MAX_FILE_NAME || file_name.chars().any(char::is_control) {
        return Err(Problem::bad_request(format!(
            "file_name must be at most {MAX_FILE_NAME} characters without control characters"
        )));
    }
    Ok((Case { id: Some(case_id), persons }, file_name))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(v) = headers.get("idempotency-key") else { return Ok(None) };
    let key = v.to_str().ok().map(|k| k.trim_matches('"').to_string());
    match key {
        Some(k) if !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(k))
        }
        _ => Err(Problem::bad_request(format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"
        ))),
    }
}

/// The id of a document submitted over the API: derived from the client, the file's hash and
/// the case, so that sending the same file for the same case again (a retry after a timeout)
/// gives the same document, not a second one. Another client sending it gets another id, and
/// the pipeline's duplicate rule sends that one to a person.
pub fn api_document_id(client: &str, sha256: &str, case_id: &str) -> DocumentId {
    let name = format!("api|{client}|{sha256}|{case_id}");
    DocumentId(uuid::Uuid::new_v5(&TAMIS_NAMESPACE, name.as_bytes()))
}

/// Submit a document.
///
/// Stores the file and queues it for reading, classification, extraction and routing; answers
/// at once with the document's id. The same file for the same case gets the same id (sending it
/// again is safe). With `Idempotency-Key`, reusing a key for another file or case is refused.
#[utoipa::path(
    post,
    path = "/v1/documents",
    tag = "documents",
    params(
        ("case_id" = String, Query, min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$",
            description = "The case the document belongs to (at most 200 characters, no control character)"),
        ("case_person" = Option<Vec<String>>, Query, explode = true,
            description = "A person of the case as the case system names them (1 to 200 characters, no control character); repeat for each. A document naming none of them goes to a person"),
        ("file_name" = Option<String>, Query, max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$",
            description = "The file's name, shown to reviewers (at most 255 characters, no control character)"),
        ("Idempotency-Key" = Option<String>, Header, description = "A key of your own for this submission (1 to 255 visible ASCII characters)"),
    ),
    request_body(
        description = "The file as the body with its Content-Type (or application/octet-stream), or a multipart form",
        content(
            ("application/pdf"), ("image/jpeg"), ("image/png"), ("image/tiff"), ("image/webp"), ("image/bmp"),
            ("image/gif"), ("application/octet-stream"),
            (inline(SubmitForm) = "multipart/form-data"),
        ),
    ),
    responses(
        (status = 202, description = "Accepted for processing", body = Submitted,
            headers(("Location" = String, description = "Where to follow the document"))),
        (status = 400, description = "Invalid parameters", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "Missing or unknown bearer token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "File over the size limit", body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "Not a type Tamis reads", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Idempotency-Key reused for another document", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "Storage or broker unavailable: nothing accepted, send again", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
async fn submit(State(api): State<Api>, caller: Caller, request: Request) -> Result<Response, Problem> {
    let idempotency = idempotency_key(request.headers())?;
    let limit = api.config.limits.max_file_bytes;
    let upload = read_upload(request, limit).await?;
    if !acceptable(&upload.declared, &upload.bytes) {
        return Err(Problem::unsupported_media_type());
    }
    let (case, file_name) = case_of(&upload.params, upload.file_name)?;
    let case_id = case.id.clone().unwrap_or_default();
    let store_failed = |e: &dyn std::fmt::Display| {
        tracing::warn!(client = %caller.0, error = %e, "blob store unavailable: submission answered 503");
        Problem::unavailable()
    };
    let blob = api.blobs.put(upload.bytes).await.map_err(|e| store_failed(&e))?;
    let document_id = api_document_id(&caller.0, &blob.sha256, &case_id);
    if let Some(key) = &idempotency {
        match api.records.claim_idempotency_key(&caller.0, key, &document_id).await {
            Ok(None) => {}
            Ok(Some(_)) => return Err(Problem::idempotency_conflict()),
            Err(e) => return Err(store_failed(&e)),
        }
    }
    let known = api.records.document(&document_id).await.map_err(|e| store_failed(&e))?;
    // Already received: answered again without publishing it a second time.
    if known.received.is_none() {
        let broker = api.publisher().await?;
        let (media_type, size) = (blob.media_type, blob.size);
        let s = Submission { document_id, case: &case, file_name, blob, client: Some(&caller.0) };
        if let Err(e) = submit_document(&broker, &api.blobs, s).await {
            tracing::warn!(%document_id, client = %caller.0, error = %format!("{e:#}"), "submission failed: answered 503");
            return Err(Problem::unavailable());
        }
        tracing::info!(%document_id, client = %caller.0, ?media_type, size, "document submitted over the API");
    }
    let location = format!("/v1/documents/{document_id}");
    let mut r = (StatusCode::ACCEPTED, Json(Submitted { document_id: document_id.0 })).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Follow a document.
///
/// Its state and, once known, its outcome as in the outcome event. Documents of other clients
/// are not found.
#[utoipa::path(
    get,
    path = "/v1/documents/{id}",
    tag = "documents",
    params(("id" = uuid::Uuid, Path, description = "The document id the submission answered")),
    responses(
        (status = 200, description = "The document's state and outcome", body = DocumentStatus),
        (status = 401, description = "Missing or unknown bearer token", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No document with this id from this client", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "Storage unavailable", body = ProblemBody, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
async fn status(State(api): State<Api>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id = id.parse::<uuid::Uuid>().map(DocumentId).map_err(|_| Problem::not_found())?;
    let r = api.records.document(&id).await.map_err(|e| {
        tracing::warn!(document_id = %id, error = %e, "records unreadable: answered 503");
        Problem::unavailable()
    })?;
    let received = r.received.as_ref().filter(|rec| rec.client.as_deref() == Some(caller.0.as_str()));
    let (Some(received), Some(state)) = (received, r.state()) else { return Err(Problem::not_found()) };
    let state = DocumentState::from(state);
    let last_review = r.reviewed.last();
    let body = DocumentStatus {
        document_id: id.0,
        state,
        is_final: matches!(state, DocumentState::Accepted | DocumentState::Rejected | DocumentState::Reviewed),
        case_id: received.case_id.clone(),
        received_at: rfc3339(received.received_at),
        outcome: r.outcome.as_ref().map(|o| serde_json::to_value(&o.outcome).unwrap_or_default()),
        decided_at: r.outcome.as_ref().map(|o| rfc3339(o.decided_at)),
        review: last_review.map(|rv| rv.reviewed.clone()),
        reviewed_at: last_review.map(|rv| rfc3339(rv.recorded_at)),
    };
    // It may hold personal data (fields of the document): never kept by a cache.
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// The OpenAPI document of this API.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This API's OpenAPI 3.1 document", content_type = "application/json", body = Object)),
    security(()),
)]
async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_text()).into_response()
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The token Tamis's operators gave your client (api.clients_file holds its SHA-256)",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tamis intake API",
        version = "1",
        description = "Submit supporting documents to Tamis and follow them to their outcome. \
            Every error is an RFC 9457 problem (application/problem+json). See docs/integrators.md.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    paths(submit, status, openapi_json),
    components(schemas(Submitted, DocumentStatus, DocumentState, ProblemBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "documents", description = "Submission and follow-up"),
        (name = "meta", description = "About this API"),
    ),
)]
struct ApiDoc;

/// The OpenAPI document, pretty-printed, as committed in docs/openapi.json.
pub fn openapi_text() -> String {
    let mut text = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

fn router(api: Api) -> Router {
    Router::new()
        .route("/v1/documents", post(submit))
        .route("/v1/documents/{id}", get(status))
        .route("/v1/openapi.json", get(openapi_json))
        .fallback(|| async { Problem::no_route() })
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed() })
        // The handlers bound the body themselves (limits.max_file_bytes, with a problem document).
        .layer(DefaultBodyLimit::disable())
        .with_state(api)
}

/// Serves the API on `listen` until `shutdown`, with the ops server (`/healthz`, `/readyz`,
/// `/metrics`) on `workers.health_addr` as every worker has.
pub async fn serve(config: &Config, listen: &str, shutdown: CancellationToken) -> anyhow::Result<()> {
    let file = config.api.clients_file.as_ref().context(
        "tamis api needs its clients: set api.clients_file (or TAMIS_API_CLIENTS) to a TOML file of [[clients]] \
         with name and token_sha256 (docs/configuration.md)",
    )?;
    let clients = Clients::load(file)?;
    let blobs = BlobStore::open(&config.blob.url)?;
    let broker = Broker::connect(&config.amqp, "tamis-api", Duration::from_secs(30)).await?.with_retry(&config.retry);
    broker.declare_topology(&[]).await?;
    let api = Api {
        records: Records::new(blobs.clone()),
        blobs,
        clients: Arc::new(clients),
        broker: Arc::new(tokio::sync::Mutex::new(Some(broker.clone()))),
        config: Arc::new(config.clone()),
    };
    let readiness = tamis_shared::ops::Readiness::new();
    readiness.set_broker_connected(true);
    readiness.expect_consumers(&["api"]);
    tamis_shared::ops::serve(&config.workers.health_addr, readiness.clone(), shutdown.clone()).await?;
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(listen, addr = %listener.local_addr()?, clients = api.clients.len(), "api listening");
    readiness.set_consumer_running("api", true);
    let server = axum::serve(listener, router(api.clone())).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let mut server = std::pin::pin!(server.into_future());
    let served = tokio::select! {
        r = &mut server => r,
        _ = shutdown.cancelled() => {
            readiness.set_stopping();
            let grace = Duration::from_secs(config.workers.shutdown_grace_secs);
            match tokio::time::timeout(grace, &mut server).await {
                Ok(r) => r,
                Err(_) => {
                    tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period are cut");
                    Ok(())
                }
            }
        }
    };
    if let Some(b) = api.broker.lock().await.take() {
        b.close().await;
    }
    Ok(served?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_openapi_document_is_the_generated_one() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == openapi_text(),
            "docs/openapi.json is not what the code generates: run `cargo run --release -- api --print-openapi > docs/openapi.json`"
        );
        let doc: serde_json::Value = serde_json::from_str(&committed).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1");
    }

    #[test]
    fn types_are_declared_or_sniffed() {
        assert!(acceptable("application/pdf", b"anything: the pipeline decides"));
        assert!(acceptable("application/octet-stream", b"%PDF-1.7\n"));
        assert!(!acceptable("application/octet-stream", b"PK\x03\x04zip"));
        assert!(!acceptable("text/plain", b"%PDF-1.7\n"));
        assert!(!acceptable("", b"%PDF-1.7\n"));
    }

    #[test]
    fn the_document_id_is_per_client_file_and_case() {
        let a = api_document_id("caf", "ab", "C1");
        assert_eq!(a, api_document_id("caf", "ab", "C1"));
        assert_ne!(a, api_document_id("caf", "ab", "C2"));
        assert_ne!(a, api_document_id("caf", "cd", "C1"));
        assert_ne!(a, api_document_id("msa", "ab", "C1"));
    }

    #[test]
    fn parameters_are_checked_without_echoing_them() {
        let p = |v: &[(&str, &str)]| v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let (case, name) = case_of(&p(&[("case_id", " C-1 "), ("case_person", "Jeanne DUPONT")]), None).unwrap();
        assert_eq!((case.id.as_deref(), case.persons.len(), name.as_str()), (Some("C-1"), 1, "document"));
        let err = case_of(&p(&[("case_id", "C-1"), ("case_person", "Jeanne\nDUPONT")]), None).unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert!(case_of(&p(&[]), None).is_err(), "case_id is required");
        assert!(case_of(&p(&[("case_id", "a"), ("case_id", "b")]), None).is_err());
        assert!(case_of(&p(&[("case_id", "a"), ("nir", "1850775123456")]), None).is_err());
        assert!(case_of(&p(&[("case_id", &"x".repeat(MAX_CASE_ID + 1))]), None).is_err());
    }
}
