//! The `jose.demo.Demo` gRPC service of `demo.proto` beside this file, server and
//! client, written by hand in the shape tonic-build generates: `WhoAmI` and `Admin`
//! answer who the verified token says the caller is, `Ping` answers "pong".
//!
//! Written by hand so that building the example and its tests needs no `protoc` (which
//! tonic-build and prost-build call): two messages and one service are little code. A
//! real service keeps its `.proto` and generates this; the authentication part is the
//! same, since it sits in front of any `http` service.
//!
//! Shared by `examples/grpc_api.rs` and `tests/grpc.rs`.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::uri::PathAndQuery;
use jose_axum::VerifiedToken;
use tonic::metadata::MetadataValue;
use tonic::server::NamedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

/// The gRPC service name: paths are `/jose.demo.Demo/<Method>`.
pub(crate) const SERVICE: &str = "jose.demo.Demo";
pub(crate) const WHO_AM_I: &str = "/jose.demo.Demo/WhoAmI";
pub(crate) const ADMIN: &str = "/jose.demo.Demo/Admin";
pub(crate) const PING: &str = "/jose.demo.Demo/Ping";

/// Who the verified token says the caller is.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Identity {
    #[prost(string, tag = "1")]
    pub(crate) subject: String,
    #[prost(string, repeated, tag = "2")]
    pub(crate) scopes: Vec<String>,
}

/// The public method's answer.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Pong {
    #[prost(string, tag = "1")]
    pub(crate) message: String,
}

/// `WhoAmI` and `Admin`: the claims `JwtAuth` verified reach the method in the request
/// extensions (`tonic::Request::extensions` is the HTTP request's `http::Extensions`).
fn who_am_i(request: Request<()>) -> Result<Response<Identity>, Status> {
    let Some(token) = VerifiedToken::from_extensions(request.extensions()) else {
        // Only if the route was wired without the layer: fail closed.
        return Err(Status::internal("internal error"));
    };
    Ok(Response::new(Identity {
        subject: token.claims().sub().unwrap_or_default().to_owned(),
        scopes: token.scopes().map(str::to_owned).collect(),
    }))
}

fn ping(_: Request<()>) -> Result<Response<Pong>, Status> {
    Ok(Response::new(Pong {
        message: "pong".to_owned(),
    }))
}

/// The server: a tower service over `http` requests with any body, as generated servers
/// are, so it can sit behind axum routes and tower layers.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DemoServer;

impl NamedService for DemoServer {
    const NAME: &'static str = SERVICE;
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, Infallible>> + Send>>;

impl<B> tower::Service<http::Request<B>> for DemoServer
where
    B: http_body::Body + Send + 'static,
    B::Error: Into<BoxError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        match request.uri().path() {
            WHO_AM_I | ADMIN => unary(who_am_i, request),
            PING => unary(ping, request),
            _ => Box::pin(async {
                let (parts, ()) = Status::unimplemented("").into_http::<()>().into_parts();
                Ok(http::Response::from_parts(
                    parts,
                    tonic::body::Body::empty(),
                ))
            }),
        }
    }
}

/// One unary method as the tower service `tonic::server::Grpc::unary` drives.
struct Method<M1, M2>(fn(Request<M1>) -> Result<Response<M2>, Status>);

impl<M1, M2> tower::Service<Request<M1>> for Method<M1, M2> {
    type Response = Response<M2>;
    type Error = Status;
    type Future = Ready<Result<Response<M2>, Status>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<M1>) -> Self::Future {
        ready((self.0)(request))
    }
}

fn unary<M1, M2, B>(
    method: fn(Request<M1>) -> Result<Response<M2>, Status>,
    request: http::Request<B>,
) -> BoxFuture<http::Response<tonic::body::Body>>
where
    M1: prost::Message + Default + Send + 'static,
    M2: prost::Message + Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Error: Into<BoxError> + Send + 'static,
{
    Box::pin(async move {
        let mut grpc = tonic::server::Grpc::new(ProstCodec::<M2, M1>::default());
        Ok(grpc.unary(Method(method), request).await)
    })
}

/// The client, over a tonic `Channel` to 127.0.0.1.
#[derive(Debug, Clone)]
pub(crate) struct DemoClient {
    grpc: tonic::client::Grpc<Channel>,
}

impl DemoClient {
    pub(crate) async fn connect(addr: SocketAddr) -> Result<DemoClient, tonic::transport::Error> {
        let channel = Endpoint::from_shared(format!("http://{addr}"))?
            .connect()
            .await?;
        Ok(DemoClient {
            grpc: tonic::client::Grpc::new(channel),
        })
    }

    pub(crate) async fn who_am_i(&mut self, token: Option<&str>) -> Result<Identity, Status> {
        self.call(WHO_AM_I, token).await
    }

    pub(crate) async fn admin(&mut self, token: Option<&str>) -> Result<Identity, Status> {
        self.call(ADMIN, token).await
    }

    pub(crate) async fn ping(&mut self, token: Option<&str>) -> Result<Pong, Status> {
        self.call(PING, token).await
    }

    async fn call<M2>(&mut self, path: &'static str, token: Option<&str>) -> Result<M2, Status>
    where
        M2: prost::Message + Default + Send + Sync + 'static,
    {
        let mut request = Request::new(());
        if let Some(token) = token {
            let value = MetadataValue::try_from(format!("Bearer {token}"))
                .map_err(|_| Status::invalid_argument("the token is not a header value"))?;
            request.metadata_mut().insert("authorization", value);
        }
        self.grpc
            .ready()
            .await
            .map_err(|e| Status::unavailable(format!("channel not ready: {e}")))?;
        let response = self
            .grpc
            .unary(
                request,
                PathAndQuery::from_static(path),
                ProstCodec::<(), M2>::default(),
            )
            .await?;
        Ok(response.into_inner())
    }
}
