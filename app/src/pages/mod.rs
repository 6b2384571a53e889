//! One module per page.

pub mod audit;
pub mod browser;
pub mod home;
pub mod setup;
pub mod sign_in;
pub mod usecase;
pub mod usecase_settings;
