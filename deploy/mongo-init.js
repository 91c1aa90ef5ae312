// Run by the mongo-init service (mongosh --file) against mongo1: initiates the replica set rs0 the first time,
// does nothing after that, and returns only once a primary is elected, so the bots start against a writable set.
const members = [
  { _id: 0, host: 'mongo1:27017', priority: 2 },
  { _id: 1, host: 'mongo2:27017', priority: 1 },
  { _id: 2, host: 'mongo3:27017', priority: 1 },
];
try {
  rs.status();
  print('replica set rs0 is already initiated');
} catch (error) {
  if (error.codeName !== 'NotYetInitialized') throw error;
  rs.initiate({ _id: 'rs0', members });
  print('replica set rs0 initiated');
}
for (let waitedMs = 0; !rs.status().members.some((m) => m.stateStr === 'PRIMARY'); waitedMs += 1000) {
  if (waitedMs > 120000) throw new Error('no primary elected after 2 minutes; see the mongo1..3 logs');
  sleep(1000);
}
print(`primary: ${rs.status().members.find((m) => m.stateStr === 'PRIMARY').name}`);
