//! Reusable UI pieces every admin page is built from.

pub mod analytics;
pub mod chart;
pub mod clock;
pub mod confirm;
pub mod data_table;
pub mod field;
pub mod icons;
pub mod layout;
pub mod modal;
pub mod password_rules;
pub mod segment_builder;
pub mod theme;
pub mod toast;
pub mod url_filter;
pub mod usage_bar;
