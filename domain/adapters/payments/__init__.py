"""Payment providers behind the ``PaymentProvider`` port."""
