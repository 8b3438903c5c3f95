#!/usr/bin/env bash
# Makes a test CA and certificates for trying the sidecar -> gateway pair over TLS:
#   ca.crt / ca.key            the CA (the sidecar's otlp/gateway exporter trusts ca.crt)
#   gateway.crt / gateway.key  the gateway's server certificate, for the names given
#   client.crt / client.key    a client certificate (for `client_ca_file`, mTLS), with --client
# Usage: scripts/make-test-ca.sh [--client] DIR [DNS-NAME-OR-IP ...]
#   e.g. scripts/make-test-ca.sh ./tls localhost 127.0.0.1 ciotel-gateway.internal
# Then: CIOTEL_TLS_DIR=./tls ciotel run --config configs/gateway.yaml
# For testing only: the CA key sits unencrypted beside the certificates.
set -euo pipefail

client=false
if [ "${1:-}" = "--client" ]; then
  client=true
  shift
fi
dir=${1:?usage: $0 [--client] DIR [DNS-NAME-OR-IP ...]}
shift
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=(localhost 127.0.0.1 ciotel-gateway.internal)
fi

mkdir -p "$dir"
cd "$dir"
umask 077

san=""
for n in "${names[@]}"; do
  if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then
    san+="IP:$n,"
  else
    san+="DNS:$n,"
  fi
done
san=${san%,}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
  -subj "/CN=ciotel test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.crt 2>/dev/null

issue() { # name subject extended-key-usage [subjectAltName]
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
    -keyout "$1.key" -out "$1.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature"
    echo "extendedKeyUsage=$3"
    if [ -n "${4:-}" ]; then echo "subjectAltName=$4"; fi
  } > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

issue gateway "${names[0]}" serverAuth "$san"
if $client; then
  issue client "ciotel test client" clientAuth
fi
rm -f ca.srl
chmod 644 ./*.crt
echo "made in $dir: ca.crt ca.key gateway.crt gateway.key$($client && echo ' client.crt client.key') (gateway for: ${names[*]})"
