-- one row per demo touchpoint: the public catalogue columns plus the hidden parameters
-- the generator draws from (channels, visit and abandonment chances, mood)
create temp table demo_touchpoint_catalogue as
with

touchpoints (
    position, touchpoint, stage, moment_of_truth, channels,
    -- chance a journey that reaches the stage passes here; chance it ends here
    visit_p, abandon_p,
    -- mean emotion of a journey event here, and its pull on NPS, CES and survey volume
    emotion_mean, nps_effect, ease_effect, response_weight,
    description,
) as (
    values
    (1, 'Online ads', 'awareness', null, ['web', 'app'],
        0.45, 0.05, 0.05, 0.0, 0.0, 1,
        'Display, search and video advertising that makes people aware of the brand'),
    (2, 'Social media', 'awareness', null, ['app', 'web'],
        0.40, 0.05, 0.15, 0.0, 0.0, 1,
        'Posts, influencer content and community threads about the products'),
    (3, 'Ratings & reviews', 'awareness', 'ZMOT', ['web', 'app'],
        0.45, 0.04, 0.20, 0.1, 0.0, 2,
        'Independent reviews and test reports read before shopping (zero moment of truth)'),
    (4, 'Website & product pages', 'consideration', 'ZMOT', ['web', 'app'],
        0.75, 0.06, 0.20, 0.0, 0.2, 6,
        'Product details, prices and availability researched online'),
    (5, 'Product comparison', 'consideration', 'ZMOT', ['web', 'app'],
        0.40, 0.07, 0.10, 0.0, 0.0, 3,
        'Comparing models, plans and prices side by side'),
    (6, 'Store visit', 'consideration', 'FMOT', ['store'],
        0.25, 0.05, 0.45, 0.5, 0.3, 4,
        'Seeing and trying the product in one of the shops (first moment of truth)'),
    (7, 'Sales consultation', 'consideration', 'FMOT', ['phone', 'store', 'chat'],
        0.20, 0.05, 0.35, 0.4, 0.2, 4,
        'Advice from a sales adviser before the decision (first moment of truth)'),
    (8, 'Cart & checkout', 'purchase', 'FMOT', ['web', 'app'],
        0.85, 0.10, 0.10, -0.2, -0.2, 7,
        'Basket, delivery options and order placement (first moment of truth)'),
    (9, 'Payment', 'purchase', null, ['web', 'app', 'store'],
        0.85, 0.05, 0.05, -0.1, 0.0, 4,
        'Choosing a payment method and paying'),
    (10, 'Order confirmation', 'purchase', null, ['email', 'app'],
        0.85, 0.01, 0.30, 0.2, 0.3, 3,
        'Confirmation e-mail and push message with the order summary'),
    (11, 'Delivery', 'purchase', null, ['email', 'app', 'web'],
        0.80, 0.03, 0.15, 0.0, 0.0, 9,
        'Shipping notice, parcel tracking and the delivery itself'),
    (12, 'Unboxing & setup', 'service', 'SMOT', ['app', 'web'],
        0.70, 0.01, 0.75, 1.2, 0.5, 6,
        'Opening the parcel and getting the product running (second moment of truth)'),
    (13, 'App onboarding', 'service', 'SMOT', ['app'],
        0.40, 0.06, 0.25, 0.2, 0.0, 4,
        'Registering the product and setting up the companion app'),
    (14, 'Invoice & billing', 'service', 'SMOT', ['email', 'web', 'app'],
        0.25, 0.33, -0.45, -1.2, -1.0, 6,
        'Invoices, direct debits, payment reminders and billing questions'),
    (15, 'Customer hotline', 'service', null, ['phone'],
        0.20, 0.08, -0.10, -0.3, -0.3, 6,
        'Calling the service hotline with a question or a problem'),
    (16, 'Live chat', 'service', null, ['chat'],
        0.20, 0.06, 0.05, -0.1, 0.0, 5,
        'Chat with an agent or the chatbot on the website and in the app'),
    (17, 'Returns & refunds', 'service', null, ['web', 'store', 'email'],
        0.12, 0.12, -0.20, -0.4, -0.4, 4,
        'Sending a product back and getting the money refunded'),
    (18, 'Loyalty programme', 'loyalty', null, ['app', 'web', 'email'],
        0.30, 0.04, 0.35, 0.4, 0.2, 3,
        'Collecting and redeeming points, member offers'),
    (19, 'Renewal & upgrade', 'loyalty', null, ['web', 'phone', 'email'],
        0.25, 0.07, 0.20, 0.2, 0.0, 3,
        'Extending the contract, upgrading the plan or buying accessories'),
    (20, 'Recommendation', 'loyalty', 'UMOT', ['web', 'app'],
        0.20, 0.02, 0.55, 0.6, 0.0, 2,
        'Recommending the brand, writing a review or sharing an experience (ultimate moment of truth)')
),

-- the channels as plain columns too: per-row lists are slow over millions of rows
final as (
    select
        *,
        list_position(['awareness', 'consideration', 'purchase', 'service', 'loyalty'], stage) as stage_rank,
        len(channels) as channel_count,
        channels[1] as channel_1,
        channels[2] as channel_2,
        channels[3] as channel_3,
        list_contains(channels, 'app') as has_app,
    from touchpoints
)

select * from final;
