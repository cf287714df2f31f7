/**
 * Hostile input for the REST API's revocation routes (a certificate's CRL and CRL URL, per-hostname revocation
 * settings): ./api-bodies says what every answer must be. A fresh PGlite database of its own (test/helpers/setup-db).
 */
import "../helpers/setup-db";
import { describeApiBodies } from "./api-bodies";

describeApiBodies("revocation");
