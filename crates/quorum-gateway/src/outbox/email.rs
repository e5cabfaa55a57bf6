//! E-mail to units over SMTP (lettre, rustls with ring): plain text in Vietnamese with
//! an English line. A 5xx reply is a permanent refusal; anything else is retried.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use super::config::{SmtpConfig, SmtpTls};
use super::webhook::Answer;

/// A connection recipe for the relay (one SMTP session per message).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// Builds the transport from the settings (nothing is contacted yet).
    pub fn new(config: &SmtpConfig, timeout: Duration) -> Result<Mailer, String> {
        let tls = match config.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls => Tls::Required(
                TlsParameters::new(config.host.clone()).map_err(|error| error.to_string())?,
            ),
            SmtpTls::Tls => Tls::Wrapper(
                TlsParameters::new(config.host.clone()).map_err(|error| error.to_string())?,
            ),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(timeout));
        if let (Some(username), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(username.clone(), password.0.clone()));
        }
        let from = config
            .from
            .parse()
            .map_err(|error| format!("smtp.from: {error}"))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one notice; `id` goes in a header so that receivers can drop repeats.
    pub async fn send(&self, to: &str, subject: &str, body: String, id: &str) -> Answer {
        let to: Mailbox = match to.parse() {
            Ok(to) => to,
            Err(error) => return Answer::Refused(format!("bad address: {error}")),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{}@quorum>", sanitize(id))))
            .header(ContentType::TEXT_PLAIN)
            .body(body);
        let message = match message {
            Ok(message) => message,
            Err(error) => return Answer::Refused(format!("cannot build the message: {error}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Answer::Accepted,
            Err(error) if error.is_permanent() => Answer::Refused(format!("SMTP {error}")),
            Err(error) if error.is_timeout() => Answer::Failed(format!("SMTP timeout: {error}")),
            Err(error) => Answer::Failed(format!("SMTP {error}")),
        }
    }
}

/// A notice id as the local part of a Message-ID.
fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '.'
            }
        })
        .collect()
}
