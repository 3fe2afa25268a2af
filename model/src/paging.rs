//! Keyset-free, bounded offset paging shared by every table in the admin.

use serde::{Deserialize, Serialize};

/// Largest page a client may ask for; keeps one request from reading a whole table.
pub const MAX_PAGE_SIZE: u32 = 200;

/// Sort order of a table column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortDirection {
    #[default]
    Ascending,
    Descending,
}

impl SortDirection {
    /// The other direction, for a click on an already-sorted header.
    pub fn flipped(self) -> Self {
        match self {
            Self::Ascending => Self::Descending,
            Self::Descending => Self::Ascending,
        }
    }

    /// Short form used in URL queries (`asc`/`desc`).
    pub fn as_query(self) -> &'static str {
        match self {
            Self::Ascending => "asc",
            Self::Descending => "desc",
        }
    }

    /// Parses the URL form; anything unknown is ascending.
    pub fn from_query(s: &str) -> Self {
        if s.eq_ignore_ascii_case("desc") { Self::Descending } else { Self::Ascending }
    }
}

/// What a table asks the server for: one page, sorted by one column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    pub per_page: u32,
    /// Column key; the server maps it to SQL through a whitelist.
    pub sort: String,
    pub direction: SortDirection,
}

impl PageRequest {
    /// Page size clamped to `1..=MAX_PAGE_SIZE`.
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page.clamp(1, MAX_PAGE_SIZE))
    }

    /// Row offset of the first row on the requested page.
    pub fn offset(&self) -> i64 {
        i64::from(self.page.max(1) - 1) * self.limit()
    }
}

/// One page of rows plus the total, so the pager can say "41–60 of 312".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(page: u32, per_page: u32) -> PageRequest {
        PageRequest { page, per_page, sort: String::new(), direction: SortDirection::Ascending }
    }

    #[test]
    fn page_zero_is_treated_as_first_page() {
        assert_eq!(req(0, 20).offset(), 0);
        assert_eq!(req(3, 20).offset(), 40);
    }

    #[test]
    fn oversized_pages_are_clamped() {
        assert_eq!(req(1, 100_000).limit(), i64::from(MAX_PAGE_SIZE));
        assert_eq!(req(1, 0).limit(), 1);
    }

    #[test]
    fn sort_direction_round_trips_through_the_url() {
        for d in [SortDirection::Ascending, SortDirection::Descending] {
            assert_eq!(SortDirection::from_query(d.as_query()), d);
        }
        assert_eq!(SortDirection::Ascending.flipped(), SortDirection::Descending);
    }
}
