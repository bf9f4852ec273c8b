//! Trust for `verify --ca-cert FILE`: the certificates in FILE are added to
//! the system's roots, and a portal presenting one of them as its own is
//! trusted as that certificate.
//!
//! The second half is what curl and OpenSSL do and webpki does not: `openssl
//! req -x509` flags the certificate it makes as a CA (`basicConstraints =
//! CA:TRUE`) by default, and an on-premises portal then serves it as its own.
//! webpki refuses any CA certificate as an end entity (`CaUsedAsEndEntity`),
//! so a user who passed exactly the portal's certificate was told to pass
//! it. Such a certificate is accepted only when it is, byte for byte, one
//! the user gave and it names the host verified; its validity period has
//! already been checked by then (webpki checks it before the CA flag).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, OtherError, SignatureScheme};

/// The TLS settings for a client that trusts `given` besides the system's
/// roots (see the module).
pub fn trusting(
    given: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
) -> Result<rustls::ClientConfig, Error> {
    let roots = rustls_platform_verifier::Verifier::new_with_extra_roots(
        given.iter().cloned(),
        provider.clone(),
    )?;
    let verifier = GivenCertificates {
        roots: Arc::new(roots),
        given,
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // As reqwest offers by default: HTTP/2 where the portal speaks it.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The system's roots and the given certificates, and the given
/// certificates themselves as end entities.
#[derive(Debug)]
struct GivenCertificates {
    roots: Arc<dyn ServerCertVerifier>,
    given: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for GivenCertificates {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let refused = match self.roots.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(refused) => refused,
        };
        if !is_ca_used_as_end_entity(&refused)
            || !self.given.iter().any(|c| c.as_ref() == end_entity.as_ref())
        {
            return Err(refused);
        }
        let certificate = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
        certificate
            .verify_is_valid_for_subject_name(server_name)
            .map_err(|_| Error::InvalidCertificate(CertificateError::NotValidForName))?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.roots.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.roots.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.roots.supported_verify_schemes()
    }
}

/// Whether webpki refused the certificate only for being a CA's.
fn is_ca_used_as_end_entity(error: &Error) -> bool {
    let Error::InvalidCertificate(CertificateError::Other(OtherError(other))) = error else {
        return false;
    };
    matches!(
        other.downcast_ref::<webpki::Error>(),
        Some(webpki::Error::CaUsedAsEndEntity)
    )
}
