//! `dataport create-admin`: the first administrator from a shell, with the
//! default usecase and its bucket made at once.

use crate::config::ServeArgs;
use anyhow::{Context, bail};
use app::core::{Principal, setup};
use std::io::{BufRead, IsTerminal};
use std::path::Path;

/// Reads the password, creates the administrator, the organization, the
/// default usecase and its bucket, and audits it.
pub async fn run(args: &ServeArgs, data_dir: &Path, database: Option<&str>, email: &str) -> anyhow::Result<()> {
    let password = read_password()?;
    let db = crate::open_database(data_dir, database)?;
    // The embedded endpoint runs for as long as the command, on a port of its own.
    let (s3, embedded) = crate::open_s3(args, data_dir, "127.0.0.1:0".parse()?, &db).await?;
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.listen));
    let config = crate::portal_config(args, &public_url, embedded.as_deref());
    let services = crate::services(args, data_dir, db, s3, config).await?;
    let made = setup::first_admin(&services, &Principal::command_line(), email, &password, &password, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("Created administrator {} with the usecase “{}”.", made.user.email, made.usecase.name);
    match made.bucket {
        Ok(()) => println!("Its bucket {} is ready for uploads from {public_url}.", made.usecase.data_bucket()),
        Err(e) => println!(
            "Its bucket {} could not be prepared ({e}); the portal tries again when it starts.",
            made.usecase.data_bucket()
        ),
    }
    Ok(())
}

/// The password: asked twice, without echo, on a terminal; otherwise the
/// first line of standard input.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            bail!("The two passwords differ; nothing was created. Run the command again.");
        }
        return one_line(&first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    one_line(line.strip_suffix('\r').unwrap_or(line))
}

/// Refuses a password nobody could type at the sign-in page.
fn one_line(password: &str) -> anyhow::Result<String> {
    if password.chars().any(char::is_control) {
        bail!(
            "The password holds a control character (a tab or a line break); nothing was created. Give it on one line."
        );
    }
    Ok(password.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_one_line_of_printable_characters() {
        assert_eq!(one_line("correct horse battery staple").unwrap(), "correct horse battery staple");
        for bad in ["two\nlines", "tab\there", "bell\u{7}"] {
            assert!(one_line(bad).is_err(), "{bad:?}");
        }
    }
}
