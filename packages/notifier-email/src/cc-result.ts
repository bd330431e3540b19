/** Key prefix under which Cc deliveries are recorded in the task's results. */
export const CC_RESULT_PREFIX = 'cc:';
