//! Request ids: chosen by the device for every command so that the hub can match its
//! answer and recognise a command sent again after a reconnect. They share the id
//! alphabet and implementation of the domain's ids.

quorum_domain::string_id! {
    /// Chosen by the device for each command; echoed in the answer.
    RequestId
}
