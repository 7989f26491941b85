#ifndef LINTAS_CLIBCRYPTO_SHIM_H
#define LINTAS_CLIBCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/crypto.h>
#endif
