//! Extractors for the JSON API that refuse bad input as the one JSON error shape, naming where it
//! was wrong, instead of axum's plain-text rejections.

use super::error::{ApiError, AppError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::Json;

pub type ApiResult<T> = Result<T, ApiError>;

/// A JSON body, refused with a clear error (not axum's plain-text one) when it does not read.
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(ApiError(AppError::invalid("body", rejection_message(&rejection)))),
        }
    }
}

fn rejection_message(rejection: &JsonRejection) -> String {
    match rejection {
        JsonRejection::JsonDataError(e) => std::error::Error::source(e).map_or_else(|| e.body_text(), |s| s.to_string()),
        other => other.body_text(),
    }
}

/// Query parameters, refused as a JSON error naming the parameter when they do not read.
pub struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Params(value)),
            Err(rejection) => Err(ApiError(AppError::invalid("query", rejection.body_text()))),
        }
    }
}
