#pragma once

// Owning handles for the OpenSSL objects this part uses, and conversions between Qt's
// byte arrays and OpenSSL's memory BIOs. Private to model/tls: nothing else sees OpenSSL.

#include <QByteArray>
#include <QString>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <memory>

namespace sockpit::tls::detail {

template<auto Free> struct Deleter
{
    template<typename T> void operator()(T *p) const { Free(p); }
};

using BioPtr = std::unique_ptr<BIO, Deleter<&BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<&X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<&EVP_PKEY_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, Deleter<&PKCS12_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<&BN_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<&X509_EXTENSION_free>>;

// A read-only BIO over `data`; `data` must outlive it.
BioPtr readBio(const QByteArray &data);
BioPtr writeBio();
QByteArray bioContents(BIO *bio);

// The reason of the most recent OpenSSL error (no key material: OpenSSL's reason strings
// name the failed step), and the error queue cleared so that later checks start clean.
QString takeOpenSslError();
// Frees what OpenSSL keeps for the calling thread (its error queue and the like). Called by
// a thread that used TLS, as it ends: OpenSSL frees the main thread's at exit by itself.
void releaseOpenSslThreadState();

// The first certificate of a PEM or DER buffer.
X509Ptr x509FromDer(const QByteArray &der);

} // namespace sockpit::tls::detail
