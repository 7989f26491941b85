#ifndef LINTAS_CLIBCRYPTO_SHIM_H
#define LINTAS_CLIBCRYPTO_SHIM_H
// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but they stay
// exported and hash on the stack: no context allocated and no algorithm fetched per digest,
// which was a fifth of the cost of hashing one event.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#endif
