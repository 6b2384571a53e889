//! Who acts, and how: every door (a page's server function, the REST API,
//! a command, a background job) builds a `Principal` and hands it to the
//! same services, so that each is authorized and audited the same way.

use super::ClientInfo;
use super::authz::Actor;

/// How a principal proved who it is; recorded with every audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A signed-in web session (pages and their server functions).
    WebSession,
    /// An access token of the REST API, by its id and name (never the secret).
    AccessToken {
        /// The token's id.
        id: String,
        /// The name its owner gave it.
        name: String,
    },
    /// A visitor of a share link, by the link's id; the link acts as its owner.
    ShareLink(String),
    /// A `dataport` command run on the server.
    CommandLine,
    /// Work the portal does on its own, by the job's name.
    SystemJob(String),
}

impl Credential {
    /// The words the audit trail keeps.
    pub fn label(&self) -> String {
        match self {
            Credential::WebSession => "web session".into(),
            Credential::AccessToken { id, name } => format!("access token “{name}” ({id})"),
            Credential::ShareLink(id) => format!("share link {id}"),
            Credential::CommandLine => "command line".into(),
            Credential::SystemJob(name) => format!("system job {name}"),
        }
    }
}

/// Who acts and how: the actor (if signed in), where the request came
/// from, and the credential that proved it.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The signed-in user, if any.
    pub actor: Option<Actor>,
    /// Where the request came from.
    pub client: ClientInfo,
    /// How the principal proved who it is.
    pub credential: Credential,
}

impl Principal {
    /// Nobody signed in, through a web session.
    pub fn anonymous(client: ClientInfo) -> Self {
        Self { actor: None, client, credential: Credential::WebSession }
    }

    /// The portal itself, running a job.
    pub fn system(job: &str) -> Self {
        Self { actor: None, client: ClientInfo::default(), credential: Credential::SystemJob(job.to_owned()) }
    }

    /// Someone on the server's command line.
    pub fn command_line() -> Self {
        Self { actor: None, client: ClientInfo::default(), credential: Credential::CommandLine }
    }
}
