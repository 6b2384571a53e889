//! One module per page.

pub mod activity;
pub mod api_reference;
pub mod audit;
pub mod browser;
pub mod bucket_settings;
pub mod dashboard;
pub mod delete;
pub mod file_details;
pub mod file_versions;
pub mod grant_form;
pub mod grants;
pub mod home;
pub mod keys;
pub mod person;
pub mod set_password;
pub mod setup;
pub mod shared;
pub mod shares;
pub mod sign_in;
pub mod tenants;
pub mod tokens;
pub mod usecase;
pub mod usecase_settings;
pub mod users;
