//! Every error the API answers is an RFC 9457 problem (`application/problem+json`): a stable
//! `type` per kind of error for machines, a sentence for people. No detail ever repeats what the
//! client sent (a case id, a name, a file name): the client knows it, logs of proxies need not.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    /// `urn:tamis:problem:<code>`, one per kind of error (listed in docs/integrators.md).
    #[serde(rename = "type")]
    #[schema(example = "urn:tamis:problem:unauthorized")]
    pub kind: String,
    /// A short summary of the kind of error.
    pub title: String,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong this time and what to do.
    pub detail: String,
}

/// An error answer.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    retry_after_secs: Option<u32>,
}

impl Problem {
    fn new(status: StatusCode, code: &'static str, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem { status, code, title, detail: detail.into(), retry_after_secs: None }
    }

    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Missing or unknown bearer token",
            "send `Authorization: Bearer <token>` with the token Tamis's operators gave your client",
        )
    }

    pub fn not_found() -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "No such document",
            "no document with this id was submitted by your client",
        )
    }

    pub fn no_route() -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "No such resource", "see /v1/openapi.json for the API's paths")
    }

    pub fn method_not_allowed() -> Problem {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "see /v1/openapi.json for the methods of each path",
        )
    }

    pub fn too_large(limit: u64) -> Problem {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "File too large",
            format!("files of more than {limit} bytes are not accepted; send a smaller scan or split the file"),
        )
    }

    pub fn unsupported_media_type() -> Problem {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send a PDF, JPEG, PNG, TIFF, WebP, BMP or GIF file, as the body with its Content-Type \
             (or application/octet-stream) or as the `file` part of multipart/form-data",
        )
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", "Invalid request", detail)
    }

    pub fn idempotency_conflict() -> Problem {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "Idempotency-Key already used for another document",
            "this Idempotency-Key was first sent with another file or case; use a new key for a new submission",
        )
    }

    /// The broker or the blob store cannot be reached: nothing was accepted, send it again.
    pub fn unavailable() -> Problem {
        let mut p = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Temporarily unavailable",
            "the document could not be stored or queued; nothing was accepted: send it again shortly \
             (the same file for the same case gets the same document id)",
        );
        p.retry_after_secs = Some(5);
        p
    }

    #[cfg(test)]
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = ProblemBody {
            kind: format!("urn:tamis:problem:{}", self.code),
            title: self.title.into(),
            status: self.status.as_u16(),
            detail: self.detail,
        };
        let mut r = (self.status, serde_json::to_vec(&body).unwrap_or_default()).into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"tamis\""));
        }
        if let Some(s) = self.retry_after_secs {
            h.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}
