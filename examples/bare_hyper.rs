//! The baseline for `bench/load.sh`: a bare hyper 1.x server that answers
//! every request with one fixed response, read from a file at start. Whatever
//! docmock adds (routing, negotiation, validation, journal, logs) is measured
//! against this.
//!
//! `cargo run --release --example bare_hyper -- PORT STATUS CONTENT-TYPE BODY-FILE [per-core]`
//!
//! By default it serves as `#[tokio::main]` does, on tokio's work-stealing
//! runtime: the server someone would write by hand. With `per-core` it hands
//! each connection to one of a single-threaded runtime per core, as docmock
//! does (see `docmock::serve::workers`), so that the two can also be compared with
//! the same runtime layout.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone)]
struct Answer {
    status: u16,
    content_type: String,
    body: Bytes,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (port, status, content_type, body_file, per_core) = match args.as_slice() {
        [_, port, status, content_type, body_file] => {
            (port, status, content_type, body_file, false)
        }
        [_, port, status, content_type, body_file, layout] if layout == "per-core" => {
            (port, status, content_type, body_file, true)
        }
        _ => return Err("usage: bare_hyper PORT STATUS CONTENT-TYPE BODY-FILE [per-core]".into()),
    };
    let answer = Answer {
        status: status.parse()?,
        content_type: content_type.clone(),
        body: Bytes::from(std::fs::read(body_file)?),
    };
    let address: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    if !per_core {
        return tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(async move {
                let listener = TcpListener::bind(address).await?;
                println!("bare hyper listening on http://{}", listener.local_addr()?);
                loop {
                    let (stream, _) = listener.accept().await?;
                    tokio::spawn(serve(stream, answer.clone()));
                }
            });
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let workers = (0..cores)
        .map(|_| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let handle = runtime.handle().clone();
            std::thread::spawn(move || runtime.block_on(std::future::pending::<()>()));
            Ok(handle)
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = TcpListener::bind(address).await?;
            println!(
                "bare hyper listening on http://{} (per-core)",
                listener.local_addr()?
            );
            for worker in workers.iter().cycle() {
                let (stream, _) = listener.accept().await?;
                let stream = stream.into_std()?;
                let answer = answer.clone();
                worker.spawn(async move {
                    if let Ok(stream) = TcpStream::from_std(stream) {
                        serve(stream, answer).await;
                    }
                });
            }
            Ok(())
        })
}

async fn serve(stream: TcpStream, answer: Answer) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        let answer = answer.clone();
        async move {
            // Read the request body, as docmock must.
            let _ = request.into_body().collect().await;
            let response = hyper::Response::builder()
                .status(answer.status)
                .header("content-type", answer.content_type)
                .body(Full::new(answer.body))
                .unwrap_or_default();
            Ok::<_, Infallible>(response)
        }
    });
    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
