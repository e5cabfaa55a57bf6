//! What the tests of the cluster need from the machine: the shared PostgreSQL and
//! Redis (addresses from `QUORUM_TEST_POSTGRES` and `QUORUM_TEST_REDIS`, with this
//! machine's defaults), each test isolated in a fresh database or key prefix, and
//! private servers on free ports in a temp dir for the tests that kill or restart them.

pub mod postgres;
pub mod redis;
