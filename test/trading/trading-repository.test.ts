import { afterAll } from 'vitest';
import { BACKENDS, dropMongoRepos } from './helpers.js';
import { describeTradingRepositoryContract } from './trading-repository-contract.js';

afterAll(dropMongoRepos);
for (const backend of BACKENDS) describeTradingRepositoryContract(backend.name, backend.open, backend.openShared);
