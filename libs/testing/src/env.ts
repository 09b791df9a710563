/** Where the tests find Postgres and RabbitMQ: the machine's own services unless told otherwise. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** How to run rabbitmqctl: locally, or `docker exec <id> rabbitmqctl` when testcontainers started the broker. */
export const RABBITMQCTL = process.env.TEST_RABBITMQCTL ?? 'rabbitmqctl';
