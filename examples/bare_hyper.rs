//! The baseline for `bench/load.sh`: a bare hyper 1.x server that answers
//! every request with one fixed response, read from a file at start. Whatever
//! docmock adds (routing, negotiation, validation, journal, logs) is measured
//! against this.
//!
//! `cargo run --release --example bare_hyper -- PORT STATUS CONTENT-TYPE BODY-FILE`

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, port, status, content_type, body_file] = args.as_slice() else {
        return Err("usage: bare_hyper PORT STATUS CONTENT-TYPE BODY-FILE".into());
    };
    let status: u16 = status.parse()?;
    let content_type = content_type.clone();
    let body = Bytes::from(std::fs::read(body_file)?);
    let address: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let listener = TcpListener::bind(address).await?;
    println!("bare hyper listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let (body, content_type) = (body.clone(), content_type.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let (body, content_type) = (body.clone(), content_type.clone());
                async move {
                    // Read the request body, as docmock must.
                    let _ = request.into_body().collect().await;
                    let response = hyper::Response::builder()
                        .status(status)
                        .header("content-type", content_type)
                        .body(Full::new(body))
                        .unwrap_or_default();
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
