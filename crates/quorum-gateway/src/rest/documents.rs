//! Documents: uploaded per agenda item (multipart, size-limited, stored by content
//! hash), and downloaded only by those the meeting lets read them — revalidated by
//! their hash and resumable with range requests.

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt as _;
use quorum_domain::meeting::agenda::{Document, DocumentAccess};
use quorum_domain::{DocumentId, ItemId, MeetingCommand};
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};

use super::range::{self, Answer};
use super::{ApiError, Authenticated, kept_meeting, meeting_for, meeting_id};
use crate::hub::Hub;
use crate::room::CommandOutcome;

/// Bytes read from a blob per chunk of a download.
const CHUNK: usize = 64 * 1024;

/// `POST /api/meetings/{meeting}/items/{item}/documents`: a multipart form with a
/// `file` part, and optional `name` and `access` (JSON) parts before it.
pub(super) async fn upload(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path((meeting, item)): Path<(String, String)>,
    mut form: Multipart,
) -> Result<Json<Document>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let item = ItemId::new(item).map_err(|_| ApiError::NotFound)?;
    let (room, _) = kept_meeting(&hub, &principal, &meeting).await?;
    let actor = principal.actor().ok_or(ApiError::Forbidden)?;
    let limit = hub.config().limits.max_document_bytes;
    let mut name = None;
    let mut access = DocumentAccess::Everyone;
    let mut stored = None;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|error| ApiError::BadRequest(error.body_text()))?
    {
        match field.name() {
            Some("name") => {
                name = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| ApiError::BadRequest(e.body_text()))?,
                );
            }
            Some("access") => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| ApiError::BadRequest(e.body_text()))?;
                access = serde_json::from_str(&text)
                    .map_err(|error| ApiError::BadRequest(format!("access: {error}")))?;
            }
            Some("file") => {
                let file_name = field.file_name().unwrap_or("document").to_owned();
                let media_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let mut writer = hub.blobs().writer(limit).map_err(blob_error)?;
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|error| ApiError::BadRequest(error.body_text()))?
                {
                    writer.write(&chunk).await.map_err(blob_error)?;
                }
                let (hash, size) = writer.finish().await.map_err(blob_error)?;
                stored = Some((file_name, media_type, hash, size));
            }
            _ => {}
        }
    }
    let (file_name, media_type, hash, size) =
        stored.ok_or_else(|| ApiError::BadRequest("a `file` part is required".into()))?;
    let document = Document {
        id: new_document_id()?,
        name: name
            .filter(|name| !name.trim().is_empty())
            .unwrap_or(file_name),
        content_hash: hash.try_into().map_err(|_| ApiError::Unavailable)?,
        size,
        media_type,
        access,
    };
    let command = MeetingCommand::AttachDocument {
        item,
        document: document.clone(),
    };
    match room.execute(None, actor, command).await {
        CommandOutcome::Acked { .. } => Ok(Json(document)),
        CommandOutcome::Rejected(rejection) => Err(ApiError::Rejected(rejection)),
        CommandOutcome::Failed(_) => Err(ApiError::Unavailable),
    }
}

fn blob_error(error: quorum_store::BlobError) -> ApiError {
    match error {
        quorum_store::BlobError::TooLarge { max } => ApiError::TooLarge(max),
        other => {
            tracing::warn!(error = %other, "document store failed");
            ApiError::Unavailable
        }
    }
}

fn new_document_id() -> Result<DocumentId, ApiError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|_| ApiError::Unavailable)?;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    DocumentId::new(format!("doc-{hex}")).map_err(|_| ApiError::Unavailable)
}

/// `GET /api/meetings/{meeting}/documents/{document}`: the content, if the meeting
/// lets the caller read it; `304` when `If-None-Match` names its hash, `206` with the
/// bytes a `Range` asks for.
pub(super) async fn download(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path((meeting, document)): Path<(String, String)>,
    request_headers: HeaderMap,
) -> Result<Response, ApiError> {
    let meeting = meeting_id(meeting)?;
    let (_, _, view) = meeting_for(&hub, &principal, &meeting).await?;
    // The view holds only the documents this viewer may read.
    let found = view
        .agenda
        .items
        .iter()
        .flat_map(|item| item.documents.iter())
        .find(|candidate| candidate.id.as_str() == document)
        .ok_or(ApiError::NotFound)?
        .clone();
    let path = hub
        .blobs()
        .path(found.content_hash.as_str())
        .ok_or(ApiError::NotFound)?;
    let etag = format!("\"{}\"", found.content_hash.as_str());
    let size = found.size;
    let (status, start, length) = match range::answer(&request_headers, &etag, size) {
        Answer::Whole => (StatusCode::OK, 0, size),
        Answer::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        Answer::NotModified => (StatusCode::NOT_MODIFIED, 0, 0),
        Answer::Unsatisfiable => (StatusCode::RANGE_NOT_SATISFIABLE, 0, 0),
    };
    let body = if status == StatusCode::OK || status == StatusCode::PARTIAL_CONTENT {
        let mut file = tokio::fs::File::open(&path)
            .await
            .map_err(|_| ApiError::NotFound)?;
        if start > 0 {
            file.seek(std::io::SeekFrom::Start(start))
                .await
                .map_err(|_| ApiError::NotFound)?;
        }
        Body::from_stream(chunks(file.take(length)))
    } else {
        Body::empty()
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let header = |value: String| HeaderValue::from_str(&value).ok();
    if let Some(value) = header(found.media_type.clone()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    let content_range = match status {
        StatusCode::PARTIAL_CONTENT => Some(format!(
            "bytes {start}-{}/{size}",
            start + length.saturating_sub(1)
        )),
        StatusCode::RANGE_NOT_SATISFIABLE => Some(format!("bytes */{size}")),
        _ => None,
    };
    if let Some(value) = content_range.and_then(header) {
        headers.insert(header::CONTENT_RANGE, value);
    }
    if let Some(value) = header(length.to_string()) {
        headers.insert(header::CONTENT_LENGTH, value);
    }
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(value) = header(etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let ascii_name: String = found
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Some(value) = header(format!("inline; filename=\"{ascii_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// A file as a stream of chunks.
fn chunks(
    file: impl tokio::io::AsyncRead + Send + Unpin + 'static,
) -> futures_util::stream::BoxStream<'static, std::io::Result<bytes::Bytes>> {
    futures_util::stream::unfold(file, |mut file| async move {
        let mut buffer = vec![0u8; CHUNK];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some((Ok(bytes::Bytes::from(buffer)), file))
            }
            Err(error) => Some((Err(error), file)),
        }
    })
    .boxed()
}
