//! A small HTTP/1.1 JSON client of the hub's API (plain `http://` only): sessions from
//! invitation codes and passwords, and bearer-authenticated GET and POST.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use quorum_protocol::SessionInfo;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::ClientError;

/// A session token and who it signs in, from [`Http::redeem`] or [`Http::login`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The bearer token: for `hello` and the `Authorization` header.
    pub token: String,
    /// Who it signs in.
    pub session: SessionInfo,
}

/// A response as it came, whatever its status.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl HttpResponse {
    /// The body as JSON (an empty body reads as `null`, so `()` accepts it).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ClientError> {
        if self.body.is_empty() {
            return Ok(serde_json::from_slice(b"null")?);
        }
        Ok(serde_json::from_slice(&self.body)?)
    }

    /// `error.code` from an error body `{"error": {"code": …, "message": …}}`.
    pub fn error_code(&self) -> Option<String> {
        serde_json::from_slice::<ErrorBody>(&self.body)
            .ok()
            .map(|body| body.error.code)
    }

    /// The response if its status is 2xx, else [`ClientError::Http`].
    pub fn error_for_status(self) -> Result<HttpResponse, ClientError> {
        if self.status.is_success() {
            return Ok(self);
        }
        Err(ClientError::Http {
            status: self.status.as_u16(),
            code: self.error_code(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        })
    }
}

/// The hub's HTTP API at one base URL. Cheap to clone; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    origin: Option<String>,
    timeout: Duration,
}

impl Http {
    /// A client of the hub at `base_url` (`http://host:port`), with a 10 s timeout per
    /// request.
    pub fn new(base_url: &str) -> Result<Http, ClientError> {
        let uri: Uri = base_url
            .parse()
            .map_err(|error: hyper::http::uri::InvalidUri| ClientError::Url {
                url: base_url.to_owned(),
                reason: error.to_string(),
            })?;
        if uri.scheme_str() != Some("http") || uri.authority().is_none() {
            return Err(ClientError::Url {
                url: base_url.to_owned(),
                reason: "expected http://host:port".to_owned(),
            });
        }
        Ok(Http {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: base_url.trim_end_matches('/').to_owned(),
            origin: None,
            timeout: Duration::from_secs(10),
        })
    }

    /// The same client with another timeout per request.
    pub fn with_timeout(mut self, timeout: Duration) -> Http {
        self.timeout = timeout;
        self
    }

    /// The same client, sending this `Origin` header with every request.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Http {
        self.origin = Some(origin.into());
        self
    }

    /// Exchanges the one-time code of an invitation or sign-in link for a session.
    pub async fn redeem(&self, code: &str) -> Result<Session, ClientError> {
        self.post_json("/api/session/redeem", None, &RedeemBody { code })
            .await
    }

    /// Signs in with a login and password.
    pub async fn login(&self, login: &str, password: &str) -> Result<Session, ClientError> {
        self.post_json("/api/session/login", None, &LoginBody { login, password })
            .await
    }

    /// Revokes a session token.
    pub async fn revoke(&self, token: &str) -> Result<(), ClientError> {
        self.request(Method::DELETE, "/api/session", Some(token), None)
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// GETs `path` and reads the JSON answer.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> Result<T, ClientError> {
        self.request(Method::GET, path, token, None)
            .await?
            .error_for_status()?
            .json()
    }

    /// POSTs `body` as JSON to `path` and reads the JSON answer.
    pub async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<T, ClientError> {
        let body = Bytes::from(serde_json::to_vec(body)?);
        self.request(Method::POST, path, token, Some(("application/json", body)))
            .await?
            .error_for_status()?
            .json()
    }

    /// DELETEs `path` and reads the JSON answer (`()` accepts an empty one).
    pub async fn delete_json<T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> Result<T, ClientError> {
        self.request(Method::DELETE, path, token, None)
            .await?
            .error_for_status()?
            .json()
    }

    /// POSTs raw bytes (an uploaded document, a CSV roster) and reads the JSON answer.
    pub async fn post_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Result<T, ClientError> {
        self.request(Method::POST, path, token, Some((content_type, body.into())))
            .await?
            .error_for_status()?
            .json()
    }

    /// GETs `path` as bytes (a document, an export, a QR code), whatever the status.
    pub async fn get_bytes(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> Result<HttpResponse, ClientError> {
        self.request(Method::GET, path, token, None).await
    }

    /// GETs `path` with extra request headers (`Range`, `If-None-Match`, …), whatever the
    /// status.
    pub async fn get_with_headers(
        &self,
        path: &str,
        token: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<HttpResponse, ClientError> {
        self.request_with_headers(Method::GET, path, token, None, headers)
            .await
    }

    /// Sends any request; `body` is a content type and the bytes. Returns the response
    /// whatever its status (see [`HttpResponse::error_for_status`]).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Bytes)>,
    ) -> Result<HttpResponse, ClientError> {
        self.request_with_headers(method, path, token, body, &HeaderMap::new())
            .await
    }

    /// [`Http::request`] with extra request headers.
    pub async fn request_with_headers(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Bytes)>,
        headers: &HeaderMap,
    ) -> Result<HttpResponse, ClientError> {
        let url = if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            format!("{}/{path}", self.base)
        };
        let mut request = Request::builder().method(method).uri(url.as_str());
        if let Some(token) = token {
            request = request.header(
                header::AUTHORIZATION,
                header_value(&format!("Bearer {token}"), "token")?,
            );
        }
        if let Some(origin) = &self.origin {
            request = request.header(header::ORIGIN, header_value(origin, "origin")?);
        }
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let content = match body {
            Some((content_type, bytes)) => {
                request = request.header(
                    header::CONTENT_TYPE,
                    header_value(content_type, "content type")?,
                );
                bytes
            }
            None => Bytes::new(),
        };
        let request = request
            .body(Full::new(content))
            .map_err(|error| ClientError::Url {
                url: url.clone(),
                reason: error.to_string(),
            })?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|error| ClientError::HttpTransport(Box::new(error)))?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|error| ClientError::HttpTransport(Box::new(error)))?
                .to_bytes();
            Ok(HttpResponse {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| ClientError::Timeout {
                waiting_for: "an HTTP response",
            })?
    }
}

#[derive(Serialize)]
struct RedeemBody<'a> {
    code: &'a str,
}

#[derive(Serialize)]
struct LoginBody<'a> {
    login: &'a str,
    password: &'a str,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
}

fn header_value(value: &str, what: &str) -> Result<HeaderValue, ClientError> {
    HeaderValue::from_str(value)
        .map_err(|_| ClientError::InvalidOption(format!("the {what} is not a valid header value")))
}
