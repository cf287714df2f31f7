/**
 * Hostile input for the REST API's mTLS certificates and their hostname settings: ./api-bodies says what every
 * answer must be. A fresh PGlite database of its own (test/helpers/setup-db).
 */
import "../helpers/setup-db";
import { describeApiBodies } from "./api-bodies";

describeApiBodies("certificates");
