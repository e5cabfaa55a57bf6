//! Documents: uploaded per agenda item (multipart, size-limited, stored by content
//! hash), new versions uploaded the same way, and downloaded — the current version or
//! an earlier one by its hash — only by those the meeting lets read them, revalidated by
//! their hash and resumable with range requests.

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt as _;
use quorum_domain::meeting::agenda::{Document, DocumentAccess};
use quorum_domain::meeting::document::DocumentFile;
use quorum_domain::{DocumentId, ItemId, MeetingCommand, MeetingView};
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};

use super::range::{self, Answer};
use super::upload;
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
    form: Multipart,
) -> Result<Json<Document>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let item = ItemId::new(item).map_err(|_| ApiError::NotFound)?;
    let (room, _) = kept_meeting(&hub, &principal, &meeting).await?;
    let actor = principal.actor().ok_or(ApiError::Forbidden)?;
    let form = receive(&hub, form).await?;
    let document = Document {
        id: new_document_id()?,
        name: form.file.name,
        content_hash: form.file.content_hash,
        size: form.file.size,
        media_type: form.file.media_type,
        access: form.access.unwrap_or(DocumentAccess::Everyone),
        status: Default::default(),
    };
    let command = MeetingCommand::AttachDocument {
        item,
        document: document.clone(),
    };
    match room.execute(None, actor, command).await {
        // The document as the meeting now holds it: a draft until approved.
        CommandOutcome::Acked { .. } => Ok(Json(
            room.view(quorum_domain::Viewer::Admin)
                .await
                .and_then(|view| readable(&view, document.id.as_str(), None))
                .unwrap_or(document),
        )),
        CommandOutcome::Rejected(rejection) => Err(ApiError::Rejected(rejection)),
        CommandOutcome::Failed(_) => Err(ApiError::Unavailable),
    }
}

/// `POST /api/meetings/{meeting}/documents/{document}/versions`: a new version, as a
/// multipart form with a `file` part and optional `name` and `note` parts before it.
/// The current version goes into the document's history.
pub(super) async fn replace(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path((meeting, document)): Path<(String, String)>,
    form: Multipart,
) -> Result<Json<Document>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let document = DocumentId::new(document).map_err(|_| ApiError::NotFound)?;
    let (room, _) = kept_meeting(&hub, &principal, &meeting).await?;
    let actor = principal.actor().ok_or(ApiError::Forbidden)?;
    let form = receive(&hub, form).await?;
    let command = MeetingCommand::ReplaceDocument {
        document: document.clone(),
        file: form.file,
        note: form.note.unwrap_or_default(),
    };
    match room.execute(None, actor, command).await {
        CommandOutcome::Acked { .. } => room
            .view(quorum_domain::Viewer::Admin)
            .await
            .and_then(|view| readable(&view, document.as_str(), None))
            .map(Json)
            .ok_or(ApiError::NotFound),
        CommandOutcome::Rejected(rejection) => Err(ApiError::Rejected(rejection)),
        CommandOutcome::Failed(_) => Err(ApiError::Unavailable),
    }
}

/// What an upload form held: the file stored, and the parts beside it.
struct Received {
    file: DocumentFile,
    access: Option<DocumentAccess>,
    note: Option<String>,
}

/// Reads an upload form, streaming its `file` part into the blob store.
async fn receive(hub: &Hub, mut form: Multipart) -> Result<Received, ApiError> {
    let limit = hub.config().limits.max_document_bytes;
    let mut name = None;
    let mut access = None;
    let mut note = None;
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
                access = Some(
                    serde_json::from_str(&text)
                        .map_err(|error| ApiError::BadRequest(format!("access: {error}")))?,
                );
            }
            Some("note") => {
                note = Some(
                    field
                        .text()
                        .await
                        .map_err(|e| ApiError::BadRequest(e.body_text()))?,
                );
            }
            Some("file") => {
                let file_name = field.file_name().unwrap_or("document").to_owned();
                let media_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let mut writer = hub.blobs().writer(limit).map_err(blob_error)?;
                let mut inspector = upload::Inspector::default();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|error| ApiError::BadRequest(error.body_text()))?
                {
                    inspector.feed(&chunk);
                    writer.write(&chunk).await.map_err(blob_error)?;
                }
                // The content, not the name or the browser's word, says what the file
                // is; a refused file is dropped unfinished, so nothing of it is kept.
                let accepted = inspector
                    .verdict(&media_type, &file_name)
                    .map_err(ApiError::File)?;
                let (hash, size) = writer.finish().await.map_err(blob_error)?;
                stored = Some((accepted.file_name, accepted.media_type, hash, size));
            }
            _ => {}
        }
    }
    let (file_name, media_type, hash, size) =
        stored.ok_or_else(|| ApiError::BadRequest("a `file` part is required".into()))?;
    Ok(Received {
        file: DocumentFile {
            name: name
                .filter(|name| !name.trim().is_empty())
                .unwrap_or(file_name),
            content_hash: hash.try_into().map_err(|_| ApiError::Unavailable)?,
            size,
            media_type,
        },
        access,
        note,
    })
}

/// The document `document` as `view` shows it — the view holds only the documents its
/// viewer may read, so this is the one rule for downloads, versions and notes — with,
/// if `hash` is given, the version with that content (current or earlier) in place of
/// the current one.
pub(super) fn readable(view: &MeetingView, document: &str, hash: Option<&str>) -> Option<Document> {
    let found = view
        .agenda
        .items
        .iter()
        .flat_map(|item| item.documents.iter())
        .find(|candidate| candidate.id.as_str() == document)?;
    let Some(hash) = hash.filter(|hash| *hash != found.content_hash.as_str()) else {
        return Some(found.clone());
    };
    let earlier = found
        .status
        .earlier
        .iter()
        .find(|version| version.file.content_hash.as_str() == hash)?;
    let mut version = found.clone();
    version.name = earlier.file.name.clone();
    version.content_hash = earlier.file.content_hash.clone();
    version.size = earlier.file.size;
    version.media_type = earlier.file.media_type.clone();
    Some(version)
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
    let found = readable(&view, &document, None).ok_or(ApiError::NotFound)?;
    serve(&hub, &found, &request_headers).await
}

/// `GET /api/meetings/{meeting}/documents/{document}/versions/{hash}`: the version of
/// the document with this content hash, current or earlier, on the same terms.
pub(super) async fn download_version(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path((meeting, document, hash)): Path<(String, String, String)>,
    request_headers: HeaderMap,
) -> Result<Response, ApiError> {
    let meeting = meeting_id(meeting)?;
    let (_, _, view) = meeting_for(&hub, &principal, &meeting).await?;
    let found = readable(&view, &document, Some(&hash)).ok_or(ApiError::NotFound)?;
    serve(&hub, &found, &request_headers).await
}

/// The content of `found`, answering `If-None-Match` and `Range`.
async fn serve(
    hub: &Hub,
    found: &Document,
    request_headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let path = hub
        .blobs()
        .local(found.content_hash.as_str())
        .await
        .map_err(blob_error)?
        .ok_or(ApiError::NotFound)?;
    let etag = format!("\"{}\"", found.content_hash.as_str());
    let size = found.size;
    let (status, start, length) = match range::answer(request_headers, &etag, size) {
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
