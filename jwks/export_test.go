package jwks

// AWSJWTVerifyScript is awsJWTVerifyScript for the external tests.
const AWSJWTVerifyScript = awsJWTVerifyScript
