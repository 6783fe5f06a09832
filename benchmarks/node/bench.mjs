// Measures aws-jwt-verify's warm-cache verification of the token in TOKEN
// (JWKS in JWKS, pool POOL, client CLIENT, issuer ISSUER) and prints
// {"ns_per_op": N, "iterations": I}.
import { JwtRsaVerifier } from "aws-jwt-verify";

const verifier = JwtRsaVerifier.create({
  issuer: process.env.ISSUER,
  audience: null,
  jwksUri: process.env.ISSUER + "/.well-known/jwks.json",
  customJwtCheck: ({ payload }) => {
    if (payload.token_use !== "access") throw new Error("token_use");
    if (payload.client_id !== process.env.CLIENT) throw new Error("client_id");
  },
});
verifier.cacheJwks(JSON.parse(process.env.JWKS));
const token = process.env.TOKEN;
const n = Number(process.env.ITERATIONS || "20000");
for (let i = 0; i < 2000; i++) verifier.verifySync(token); // warm up the JIT
const start = process.hrtime.bigint();
for (let i = 0; i < n; i++) verifier.verifySync(token);
const ns = Number(process.hrtime.bigint() - start) / n;
console.log(JSON.stringify({ ns_per_op: ns, iterations: n }));
