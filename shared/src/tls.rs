//! The one rustls crypto provider of the process. lapin (AMQP over TLS), the OTLP exporter and the
//! S3 client all use rustls; without one provider installed for the process, the S3 client's
//! reqwest (built with `rustls-no-provider`) would panic on its first request, and two providers
//! compiled in (aws-lc-rs beside ring) would make rustls refuse to pick either.

use std::sync::Once;

static INSTALL: Once = Once::new();

/// Installs ring as the process's rustls provider, once; later calls do nothing. Called first
/// thing by `main` and by the blob store before it opens an S3 client (tests open stores too).
pub fn install_crypto_provider() {
    INSTALL.call_once(|| {
        // Err means a provider was installed already (by the host program): keep that one.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn ring_is_the_process_provider_after_install() {
        super::install_crypto_provider();
        super::install_crypto_provider();
        let p = rustls::crypto::CryptoProvider::get_default().expect("a provider is installed");
        assert!(p.cipher_suites.iter().any(|s| s == &rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256));
    }
}
