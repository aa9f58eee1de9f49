//! bce-auth-v1 request signing (Qianfan v2 / BCE IAM).
