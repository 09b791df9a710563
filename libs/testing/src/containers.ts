/**
 * The testcontainers fallback: only used where a Docker engine runs and the machine has no Postgres/RabbitMQ.
 * The containers live as long as the jest process; testcontainers' reaper removes them afterwards.
 */
export async function startContainers(need: { needPostgres: boolean; needRabbit: boolean }): Promise<boolean> {
  let tc: typeof import('testcontainers');
  try {
    tc = await import('testcontainers');
    await tc.getContainerRuntimeClient();
  } catch {
    return false;
  }
  if (need.needPostgres) {
    const pg = await new tc.GenericContainer('postgres:15')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(tc.Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    process.env.TEST_DATABASE_URL = `postgresql://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
  }
  if (need.needRabbit) {
    const mq = await new tc.GenericContainer('rabbitmq:3.10').withExposedPorts(5672).withWaitStrategy(tc.Wait.forLogMessage(/Server startup complete/)).start();
    process.env.TEST_AMQP_URL = `amqp://guest:guest@${mq.getHost()}:${mq.getMappedPort(5672)}`;
    process.env.TEST_RABBITMQCTL = `docker exec ${mq.getId()} rabbitmqctl`;
  }
  return true;
}
