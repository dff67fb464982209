//! Composing a digest within the reading budget.
