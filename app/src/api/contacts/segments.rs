//! Saved segments: the list, the editor's load and save, and the live count the builder shows
//! while the admin edits a filter.

use leptos::prelude::*;
use model::contacts::{SavedSegment, SegmentCount, SegmentFilter, SegmentInput};
use server_fn::codec::Json;

use crate::api::ApiError;

/// Every saved segment with its last stored count, for the Segments page.
#[server(endpoint = "contacts/segments/list", input = Json)]
pub async fn list_segments() -> Result<Vec<SavedSegment>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.segments.list().await?)
        }
        .await,
    )
}

/// One segment, for its editor.
#[server(endpoint = "contacts/segments/get", input = Json)]
pub async fn get_segment(id: i64) -> Result<SavedSegment, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.segments.get(id).await?)
        }
        .await,
    )
}

/// Saves a new segment.
#[server(endpoint = "contacts/segments/create", input = Json)]
pub async fn create_segment(input: SegmentInput) -> Result<SavedSegment, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let s = state()?.contacts.segments.create(&input).await?;
            tracing::info!(by = %me.username, segment = s.id, name = %s.name, "segment created");
            Ok(s)
        }
        .await,
    )
}

/// Replaces a segment's name, description and filter.
#[server(endpoint = "contacts/segments/update", input = Json)]
pub async fn update_segment(id: i64, input: SegmentInput) -> Result<SavedSegment, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let s = state()?.contacts.segments.update(id, &input).await?;
            tracing::info!(by = %me.username, segment = s.id, name = %s.name, "segment updated");
            Ok(s)
        }
        .await,
    )
}

/// Deletes a segment (contacts are not touched).
#[server(endpoint = "contacts/segments/delete", input = Json)]
pub async fn delete_segment(id: i64) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.contacts.segments.delete(id).await?;
            tracing::info!(by = %me.username, segment = id, "segment deleted");
            Ok(())
        }
        .await,
    )
}

/// The builder's live count of an unsaved filter. An invalid filter is answered with the
/// reason (field `filter`) rather than a database error.
#[server(endpoint = "contacts/segments/count", input = Json)]
pub async fn count_segment(filter: SegmentFilter) -> Result<SegmentCount, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            filter.validate().map_err(|p| ApiError::invalid("filter", sentence(&p.to_string())))?;
            Ok(state()?.contacts.segments.count(&filter).await?)
        }
        .await,
    )
}

/// Counts a saved segment now and stores the count (the "refresh" of the Segments page).
#[server(endpoint = "contacts/segments/count-saved", input = Json)]
pub async fn count_saved_segment(id: i64) -> Result<SegmentCount, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.segments.count_saved(id).await?)
        }
        .await,
    )
}

/// "the window must…" → "The window must….", the form the other messages use.
#[cfg(feature = "ssr")]
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}
